using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// The target a Windows symbolic link or junction gets as a Linux symbolic link in a layer's plain <c>Files/</c> tree,
/// so that in a mount it resolves as it would inside the container: <c>C:\</c> (any drive) is the mount root, and
/// <c>..</c> stops there. The result is always relative, climbs exactly to the root and holds no <c>..</c> below it,
/// so following it never leaves the mount. The reparse data itself is kept beside the link for the export.
/// </summary>
internal static class MountLinkTarget
{
    /// <summary>
    /// The Linux target for a reparse point at <paramref name="name"/> (a layer name under <c>Files\</c>), or
    /// <see langword="null"/> when the reparse point cannot be a link in the mount (another tag, an empty target, a
    /// UNC or volume target): it then stays a placeholder file or directory.
    /// </summary>
    public static string? Translate(string name, ReparsePoint reparsePoint)
    {
        if (!reparsePoint.IsSymbolicLink && !reparsePoint.IsMountPoint)
        {
            return null;
        }

        string? windows = !string.IsNullOrEmpty(reparsePoint.Target) ? reparsePoint.Target : reparsePoint.SubstituteName;
        if (string.IsNullOrEmpty(windows))
        {
            return null;
        }

        string[] linkDirectory = TransportPath.Parent(name).Split('\\')[1..];
        var resolved = new List<string>();
        if (reparsePoint.IsSymbolicLink && reparsePoint.IsRelative)
        {
            if (windows[0] is not ('\\' or '/'))
            {
                resolved.AddRange(linkDirectory);
            }
        }
        else
        {
            string path = windows.StartsWith(@"\??\", StringComparison.Ordinal) || windows.StartsWith(@"\\?\", StringComparison.Ordinal) ? windows[4..] : windows;
            if (path.Length < 2 || !char.IsAsciiLetter(path[0]) || path[1] != ':')
            {
                // \\server\share, \??\Volume{…}: nothing in the container's C:\ to point at.
                return null;
            }

            windows = path[2..];
        }

        foreach (string part in windows.Split('\\', '/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            resolved.Add(part);
        }

        string up = string.Concat(Enumerable.Repeat("../", linkDirectory.Length));
        string down = string.Join('/', resolved);
        return down.Length > 0 ? up + down : up.Length > 0 ? up.TrimEnd('/') : ".";
    }
}
