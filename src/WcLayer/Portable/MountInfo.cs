using System.Globalization;
using System.Text;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>Reads the kernel's table of mounts (<c>/proc/self/mountinfo</c>) on Linux.</summary>
internal static class MountInfo
{
    private const string TablePath = "/proc/self/mountinfo";

    /// <summary>
    /// A mount point strictly inside the directory <paramref name="root"/> is open on, by the kernel's name for it
    /// (whatever links the caller's path went through); <see langword="null"/> if there is none or the table cannot be read.
    /// </summary>
    public static string? FirstMountInside(UnixLayerRoot root)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(TablePath))
        {
            return null;
        }

        string? real = new FileInfo("/proc/self/fd/" + root.DescriptorNumber.ToString(CultureInfo.InvariantCulture)).LinkTarget;
        if (real is null)
        {
            return null;
        }

        string prefix = real.EndsWith('/') ? real : real + "/";
        foreach (string line in File.ReadLines(TablePath))
        {
            // Fields: id, parent id, major:minor, root, mount point, … (proc(5)).
            string[] fields = line.Split(' ', 6);
            if (fields.Length > 4 && Unescape(fields[4]) is var mountPoint && mountPoint.StartsWith(prefix, StringComparison.Ordinal))
            {
                return mountPoint;
            }
        }

        return null;
    }

    /// <summary>Undoes the kernel's octal escapes of space, tab, newline and backslash (<c>\040</c>, …): all ASCII.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                text.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
