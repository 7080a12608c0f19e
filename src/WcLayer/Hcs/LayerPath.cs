namespace WcLayer.Hcs;

/// <summary>Go's <c>filepath.Split</c> on Windows, which decides layer ids: HCS matches layers by them.</summary>
internal static class LayerPath
{
    /// <summary>
    /// The part after the last <c>\</c> or <c>/</c>, or after a volume name such as <c>C:</c>. A trailing separator
    /// gives <c>""</c> (hcsshim then hashes the empty name); that is kept on purpose.
    /// </summary>
    internal static string BaseName(string path)
    {
        int volume = VolumeNameLength(path);
        int i = path.Length - 1;
        while (i >= volume && path[i] is not ('\\' or '/'))
        {
            i--;
        }

        return path[(i + 1)..];
    }

    // Go's volumeNameLen: "C:", or a UNC "\\server\share" prefix (either separator).
    private static int VolumeNameLength(string path)
    {
        if (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]))
        {
            return 2;
        }

        if (path.Length < 5 || !IsSeparator(path[0]) || !IsSeparator(path[1]) || IsSeparator(path[2]) || path[2] == '.')
        {
            return 0;
        }

        // \\server\share: the server name ends at the next separator, the share at the one after.
        int n = 3;
        while (n < path.Length - 1 && !IsSeparator(path[n]))
        {
            n++;
        }

        if (n >= path.Length - 1 || IsSeparator(path[n + 1]))
        {
            return 0;
        }

        n++;
        while (n < path.Length && !IsSeparator(path[n]))
        {
            n++;
        }

        return n;
    }

    private static bool IsSeparator(char c) => c is '\\' or '/';
}
