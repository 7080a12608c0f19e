namespace WcLayer.Oci;

/// <summary>Tar entry names: cleaning, validation (nothing may leave the layer root) and <c>/</c> ⇄ <c>\</c>.</summary>
internal static class TarPath
{
    /// <summary>
    /// Cleans a tar name: drops leading <c>./</c>, empty and <c>.</c> components and a trailing <c>/</c>. Returns
    /// the empty string for the archive root (<c>.</c>, <c>./</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The name is absolute, has a <c>..</c> component, a NUL or a backslash.</exception>
    public static string Clean(string name, string what = "entry")
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{what} '{Printable(name)}': the name contains a NUL character.");
        }

        if (name.StartsWith('/'))
        {
            throw new InvalidDataException($"{what} '{name}': absolute names are not allowed in a layer.");
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            // A backslash is a separator to Windows, so "a\..\..\x" would escape once converted.
            throw new InvalidDataException($"{what} '{name}': the name contains '\\', which Windows names cannot contain.");
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            throw new InvalidDataException($"{what} '{name}': names with a drive letter are not allowed in a layer.");
        }

        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw new InvalidDataException($"{what} '{name}': '..' is not allowed in a layer entry name.");
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    public static string FromSlash(string name) => name.Replace('/', '\\');

    public static string ToSlash(string name) => name.Replace('\\', '/');

    public static string Dir(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? string.Empty : name[..slash];
    }

    public static string Base(string name) => name[(name.LastIndexOf('/') + 1)..];

    public static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    private static string Printable(string s) => s.Replace("\0", "\\0", StringComparison.Ordinal);
}
