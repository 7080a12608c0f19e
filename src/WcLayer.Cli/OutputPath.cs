namespace WcLayer.Cli;

/// <summary>Tells a regular output file, written atomically, from a device or pipe named as one (<c>-o /dev/null</c>, a FIFO), written in place.</summary>
internal static class OutputPath
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 1;

    /// <summary>Whether <paramref name="path"/> exists and is something other than a regular file (following links).</summary>
    /// <param name="path">The absolute output path.</param>
    /// <returns><see langword="true"/> for a device, pipe or socket: renaming a file over it would replace it.</returns>
    public static bool IsSpecial(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsLinux())
        {
            return !IsRegularOnLinux(path);
        }

        // Without statx here, the device folders stand for the devices.
        return path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith(@"\\.\", StringComparison.Ordinal);
    }

    private static unsafe bool IsRegularOnLinux(string path)
    {
        Interop.Libc.StatxBuffer status;
        if (Interop.Libc.statx(AtFdCwd, path, 0, StatxType, &status) != 0)
        {
            return true; // Cannot tell: write in place, as before, rather than rename over something unknown.
        }

        return (status.Mode & Interop.Libc.S_IFMT) == Interop.Libc.S_IFREG;
    }
}
