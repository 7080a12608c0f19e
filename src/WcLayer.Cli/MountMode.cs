namespace WcLayer.Cli;

/// <summary>How a scratch layer's files are presented at its mount path, for <c>mount --json</c>.</summary>
internal static class MountMode
{
    private const string MountTable = "/proc/self/mountinfo";

    /// <summary>
    /// <c>volume</c> on Windows (HCS mounts a volume), <c>overlay</c> where the kernel mounts an overlay at the path,
    /// else <c>copy</c>: the portable store's merged copy of the parents in a real directory.
    /// </summary>
    /// <param name="mountPath">The path <see cref="ILayerStore.GetLayerMountPath"/> returned.</param>
    /// <returns>The mode's name.</returns>
    public static string Describe(string mountPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return "volume";
        }

        return FileSystemMountedAt(mountPath) is { } type ? type : "copy";
    }

    // mountinfo: "id parent major:minor root mountpoint options [optional...] - fstype source superoptions".
    private static string? FileSystemMountedAt(string path)
    {
        if (!File.Exists(MountTable))
        {
            return null;
        }

        string target = Path.TrimEndingDirectorySeparator(path);
        string? type = null;
        foreach (string line in File.ReadLines(MountTable))
        {
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && separator > 0 && separator + 1 < fields.Length && WcLayer.Portable.MountInfo.Unescape(fields[4]) == target)
            {
                type = fields[separator + 1]; // The last one listed is the one on top.
            }
        }

        return type;
    }
}
