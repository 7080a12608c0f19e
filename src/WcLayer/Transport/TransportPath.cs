namespace WcLayer.Transport;

/// <summary>Names and path rules of the HCS transport format (hcsshim legacy.go), on layer names with <c>\</c> separators.</summary>
internal static class TransportPath
{
    public const string Files = "Files";
    public const string Hives = "Hives";
    public const string UtilityVM = "UtilityVM";
    public const string UtilityVMFiles = @"UtilityVM\Files";
    public const string DirectoryCompanionSuffix = ".$wcidirs$";
    public const string TombstonesFile = "tombstones.txt";
    public const string RecycleBin = @"Files\$Recycle.Bin";
    public const string SystemDeltaHive = @"Hives\System_Delta";

    /// <summary>The four BCD files that ProcessUtilityVMImage mutates, so they are copied, never linked (B1 fixed).</summary>
    public static readonly string[] MutatedUtilityVMFiles =
    [
        @"UtilityVM\Files\EFI\Microsoft\Boot\BCD",
        @"UtilityVM\Files\EFI\Microsoft\Boot\BCD.LOG",
        @"UtilityVM\Files\EFI\Microsoft\Boot\BCD.LOG1",
        @"UtilityVM\Files\EFI\Microsoft\Boot\BCD.LOG2",
    ];

    /// <summary>hcsshim's <c>hasPathPrefix</c>: <paramref name="path"/> starts with <paramref name="prefix"/> followed by <c>\</c> (case-sensitive).</summary>
    public static bool HasPrefix(string path, string prefix) =>
        path.Length > prefix.Length && path[prefix.Length] == '\\' && path.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>
    /// Cleans a layer name (Go's <c>filepath.Clean</c> on Windows names, first, before any comparison: B9): <c>/</c>
    /// becomes <c>\</c>, empty and <c>.</c> components go, a trailing separator goes.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, rooted, has a drive, <c>..</c>, <c>:</c> or NUL.</exception>
    public static string Clean(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > 0 && name[0] is '\\' or '/')
        {
            throw new ArgumentException($"expected relative path: '{name}'", nameof(name));
        }

        var parts = new List<string>();
        foreach (string part in name.Split('\\', '/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw new ArgumentException($"'..' is not allowed in a layer name: '{name}'", nameof(name));
            }

            if (part.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException($"path contains invalid character ':': '{name}'", nameof(name));
            }

            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"path contains a NUL character: '{name}'", nameof(name));
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? throw new ArgumentException($"empty layer name: '{name}'", nameof(name)) : string.Join('\\', parts);
    }

    public static string Parent(string name)
    {
        int slash = name.LastIndexOf('\\');
        return slash < 0 ? string.Empty : name[..slash];
    }

    public static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "\\" + name;
}
