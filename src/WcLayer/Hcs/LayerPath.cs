using System.Text;

namespace WcLayer.Hcs;

/// <summary>
/// Go's <c>path/filepath</c> on Windows, as hcsshim uses it: <c>Split</c> decides layer ids (HCS matches layers by
/// them) and <c>Join</c> builds every path handed to vmcompute.dll, virtdisk.dll and offreg.dll.
/// </summary>
/// <remarks>
/// Windows does not normalize <c>\\?\</c> paths, so a path joined by plain concatenation from a layer path given with
/// a trailing separator (<c>\\?\C:\x\\UtilityVM</c>) names nothing; Go's <c>Join</c> cleans the result.
/// </remarks>
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

    /// <summary>
    /// Go's <c>filepath.Join</c> on Windows: the non-empty elements joined by <c>\</c> (none after a trailing
    /// separator or a drive's colon), then <see cref="Clean"/>ed; <c>""</c> when every element is empty.
    /// </summary>
    internal static string Join(params ReadOnlySpan<string> elements)
    {
        var joined = new StringBuilder();
        char last = '\0';
        foreach (string element in elements)
        {
            ReadOnlySpan<char> e = element;
            if (joined.Length > 0)
            {
                if (IsSeparator(last))
                {
                    // No UNC prefix may come out of non-UNC elements.
                    e = e.TrimStart(@"\/");
                }
                else if (last != ':')
                {
                    // After "C:" the path stays relative to that drive: Join(`C:`, `f`) is `C:f`.
                    joined.Append('\\');
                    last = '\\';
                }
            }

            if (!e.IsEmpty)
            {
                joined.Append(e);
                last = e[^1];
            }
        }

        return joined.Length == 0 ? string.Empty : Clean(joined.ToString());
    }

    /// <summary>
    /// Go's <c>filepath.Clean</c> on Windows: the volume name is kept, repeated separators and <c>.</c> elements go,
    /// <c>..</c> removes the element before it (never the root), a trailing separator goes unless it is the root, and
    /// <c>/</c> becomes <c>\</c>. Go's two guards for relative oddities (<c>a:b</c> as a first element, <c>\??</c>) are
    /// not needed for the absolute layer paths this is used on and are left out.
    /// </summary>
    internal static string Clean(string path)
    {
        int volume = VolumeNameLength(path);
        ReadOnlySpan<char> rest = path.AsSpan(volume);
        if (rest.IsEmpty)
        {
            return volume > 1 && IsSeparator(path[0]) && IsSeparator(path[1]) ? path.Replace('/', '\\') : path + ".";
        }

        bool rooted = IsSeparator(rest[0]);

        // Go's lazybuf: the output is never longer than the input; w is its length.
        char[] output = new char[rest.Length + 2];
        int w = 0;
        int dotdot = 0;
        int r = 0;
        if (rooted)
        {
            output[w++] = '\\';
            r = dotdot = 1;
        }

        while (r < rest.Length)
        {
            if (IsSeparator(rest[r]))
            {
                r++;
            }
            else if (rest[r] == '.' && (r + 1 == rest.Length || IsSeparator(rest[r + 1])))
            {
                r++;
            }
            else if (rest[r] == '.' && rest[r + 1] == '.' && (r + 2 == rest.Length || IsSeparator(rest[r + 2])))
            {
                r += 2;
                if (w > dotdot)
                {
                    // Back to the separator before the last element (not kept), or to the root.
                    w--;
                    while (w > dotdot && output[w] != '\\')
                    {
                        w--;
                    }
                }
                else if (!rooted)
                {
                    if (w > 0)
                    {
                        output[w++] = '\\';
                    }

                    output[w++] = '.';
                    output[w++] = '.';
                    dotdot = w;
                }
            }
            else
            {
                if ((rooted && w != 1) || (!rooted && w != 0))
                {
                    output[w++] = '\\';
                }

                for (; r < rest.Length && !IsSeparator(rest[r]); r++)
                {
                    output[w++] = rest[r];
                }
            }
        }

        if (w == 0)
        {
            output[w++] = '.';
        }

        return (path[..volume] + new string(output, 0, w)).Replace('/', '\\');
    }

    // Go's volumeNameLen (Go 1.22): "C:"; a device path \\.\X or \\?\X or \??\X, X its first component (\\.\UNC\host\share
    // as a whole); a UNC "\\server\share" (either separator).
    private static int VolumeNameLength(string path)
    {
        if (path.Length >= 2 && path[1] == ':')
        {
            return 2;
        }

        if (path.Length == 0 || !IsSeparator(path[0]))
        {
            return 0;
        }

        if (HasPrefixFold(path, @"\\.\UNC"))
        {
            return UncLength(path, @"\\.\UNC\".Length);
        }

        if (HasPrefixFold(path, @"\\.") || HasPrefixFold(path, @"\\?") || HasPrefixFold(path, @"\??"))
        {
            if (path.Length == 3)
            {
                return 3;
            }

            int end = path.Length > 4 ? path.AsSpan(4).IndexOfAny('\\', '/') : -1;
            return end < 0 ? path.Length : 4 + end;
        }

        return path.Length >= 2 && IsSeparator(path[1]) ? UncLength(path, 2) : 0;
    }

    // Go's uncLen: the prefix up to the end of the second component after prefixLength (host and share).
    private static int UncLength(string path, int prefixLength)
    {
        int count = 0;
        for (int i = prefixLength; i < path.Length; i++)
        {
            if (IsSeparator(path[i]))
            {
                count++;
                if (count == 2)
                {
                    return i;
                }
            }
        }

        return path.Length;
    }

    // Go's pathHasPrefixFold: case-insensitive, either separator, and the prefix must end at a separator or the end.
    private static bool HasPrefixFold(string path, string prefix)
    {
        if (path.Length < prefix.Length)
        {
            return false;
        }

        for (int i = 0; i < prefix.Length; i++)
        {
            if (IsSeparator(prefix[i]) ? !IsSeparator(path[i]) : char.ToUpperInvariant(prefix[i]) != char.ToUpperInvariant(path[i]))
            {
                return false;
            }
        }

        return path.Length == prefix.Length || IsSeparator(path[prefix.Length]);
    }

    private static bool IsSeparator(char c) => c is '\\' or '/';
}
