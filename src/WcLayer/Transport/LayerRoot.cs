using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// A layer folder opened as a root: every path given to it is relative, and no operation can reach outside the
/// root, neither through <c>..</c> nor through a symbolic link or reparse point on any component, even one swapped in
/// while the operation runs (hcsshim's <c>safefile</c>). The platform parts live in <c>LayerRoot.Unix.cs</c>.
/// </summary>
/// <remarks>
/// Relative paths may use <c>\</c> or <c>/</c>. Windows metadata that a POSIX file system cannot hold (the four
/// FILETIME times and the attributes; for files stored plain, their non-data backup streams) is kept in extended
/// attributes of each file, so it moves with the file and with its hard links, and is never silently dropped: a file
/// system without user extended attributes is an error.
/// </remarks>
internal sealed partial class LayerRoot : IDisposable
{
    /// <summary>Extended attribute holding the 40-byte <c>FILE_BASIC_INFO</c> of an entry.</summary>
    internal const string BasicInfoAttribute = "user.wclayer.basicinfo";

    /// <summary>Extended attribute holding, for a file stored plain, its backup stream with the data stream's bytes left out.</summary>
    internal const string StreamsAttribute = "user.wclayer.streams";

    private bool _disposed;

    /// <summary>The absolute path of the root, for messages.</summary>
    public string FullPath { get; }

    /// <summary>Opens an existing directory as a root.</summary>
    /// <exception cref="LayerPathException">It does not exist or is not a directory.</exception>
    public static LayerRoot Open(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Windows side of the layer file-system seam comes with the HCS backend.");
        }

        return OpenUnix(System.IO.Path.GetFullPath(path));
    }

    /// <summary>Splits and validates a relative path: no empty, <c>.</c> or <c>..</c> components, no root, drive, ':' or NUL.</summary>
    internal static string[] Split(string relativePath)
    {
        if (relativePath.Length == 0)
        {
            return [];
        }

        if (relativePath[0] is '\\' or '/')
        {
            throw new ArgumentException($"expected relative path: '{relativePath}'", nameof(relativePath));
        }

        string[] parts = relativePath.Split('\\', '/');
        foreach (string part in parts)
        {
            if (part.Length == 0 || part == "." || part == "..")
            {
                throw new ArgumentException($"invalid path component in '{relativePath}'", nameof(relativePath));
            }

            if (part.Contains(':', StringComparison.Ordinal) || part.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"path contains invalid character ':' or NUL: '{relativePath}'", nameof(relativePath));
            }
        }

        return parts;
    }

    /// <summary>The full path of a relative path, for messages.</summary>
    public string Describe(string relativePath) =>
        relativePath.Length == 0 ? FullPath : System.IO.Path.Join(FullPath, relativePath.Replace('\\', '/'));

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            DisposeCore();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
