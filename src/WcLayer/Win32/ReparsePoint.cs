namespace WcLayer.Win32;

/// <summary>
/// A Win32 <c>REPARSE_DATA_BUFFER</c>: symbolic links and mount points (junctions) decoded, any other tag kept as raw
/// bytes.
/// </summary>
public sealed class ReparsePoint
{
    /// <summary><c>IO_REPARSE_TAG_MOUNT_POINT</c>: a junction or volume mount point.</summary>
    public const uint MountPointTag = 0xA0000003;

    /// <summary><c>IO_REPARSE_TAG_SYMLINK</c>: a symbolic link.</summary>
    public const uint SymbolicLinkTag = 0xA000000C;

    private ReparsePoint(uint tag, string? target, string? substituteName, bool isRelative, byte[] buffer)
    {
        Tag = tag;
        Target = target;
        SubstituteName = substituteName;
        IsRelative = isRelative;
        Buffer = buffer;
    }

    /// <summary>The reparse tag.</summary>
    public uint Tag { get; }

    /// <summary>The print name (what users see as the link target) of a symlink or mount point; otherwise <see langword="null"/>.</summary>
    public string? Target { get; }

    /// <summary>The substitute name (the NT path, e.g. <c>\??\C:\foo</c>) of a symlink or mount point; otherwise <see langword="null"/>.</summary>
    public string? SubstituteName { get; }

    /// <summary>Whether this is a mount point (junction).</summary>
    public bool IsMountPoint => Tag == MountPointTag;

    /// <summary>Whether this is a symbolic link.</summary>
    public bool IsSymbolicLink => Tag == SymbolicLinkTag;

    /// <summary>Whether a symbolic link has <c>SYMLINK_FLAG_RELATIVE</c>.</summary>
    public bool IsRelative { get; }

    /// <summary>The whole encoded <c>REPARSE_DATA_BUFFER</c>.</summary>
    public ReadOnlyMemory<byte> Buffer { get; }

    /// <summary>Encodes a symbolic link (or, with <paramref name="isMountPoint"/>, a mount point) as go-winio's <c>EncodeReparsePoint</c> does.</summary>
    /// <param name="target">The target as the user gives it (print name).</param>
    /// <param name="isMountPoint">Encode a mount point instead of a symbolic link.</param>
    /// <returns>The reparse point.</returns>
    public static ReparsePoint Create(string target, bool isMountPoint) => throw new NotImplementedException();

    /// <summary>Decodes a <c>REPARSE_DATA_BUFFER</c>.</summary>
    /// <param name="buffer">The encoded buffer.</param>
    /// <returns>The reparse point; tags other than symlink and mount point are kept raw with a null <see cref="Target"/>.</returns>
    /// <exception cref="InvalidDataException">The buffer is truncated or its offsets and lengths point outside it.</exception>
    public static ReparsePoint Decode(ReadOnlySpan<byte> buffer) => throw new NotImplementedException();
}
