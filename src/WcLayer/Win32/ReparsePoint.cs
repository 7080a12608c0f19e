using System.Buffers.Binary;
using System.Text;

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

    /// <summary><c>SYMLINK_FLAG_RELATIVE</c>: the symbolic link target is relative to the link's directory.</summary>
    public const uint SymbolicLinkFlagRelative = 1;

    /// <summary>The size of the generic header: tag, <c>ReparseDataLength</c> and a reserved field.</summary>
    public const int HeaderSize = 8;

    /// <summary>The size of the header of a non-Microsoft tag (<c>REPARSE_GUID_DATA_BUFFER</c>), which adds a GUID.</summary>
    public const int GuidHeaderSize = HeaderSize + 16;

    // Tags owned by Microsoft have bit 31 set; all others carry a GUID after the generic header.
    private const uint MicrosoftTagBit = 0x80000000;

    // SubstituteNameOffset, SubstituteNameLength, PrintNameOffset, PrintNameLength.
    private const int NameFieldsSize = 8;
    private const int SymbolicLinkFlagsSize = 4;

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
    /// <exception cref="ArgumentException">The target is too long for a reparse buffer.</exception>
    public static ReparsePoint Create(string target, bool isMountPoint)
    {
        ArgumentNullException.ThrowIfNull(target);
        (string ntTarget, bool relative) = ToNtPath(target);

        // Mount points have no flags field, so a relative junction target is simply written as given.
        bool isRelative = relative && !isMountPoint;
        int fixedSize = NameFieldsSize + (isMountPoint ? 0 : SymbolicLinkFlagsSize);
        int substituteBytes = ntTarget.Length * sizeof(char);
        int printBytes = target.Length * sizeof(char);
        int pathBufferSize = substituteBytes + sizeof(char) + printBytes + sizeof(char);
        int dataLength = fixedSize + pathBufferSize;
        if (dataLength > ushort.MaxValue)
        {
            throw new ArgumentException($"Reparse point target of {target.Length} characters is too long: the reparse data would be {dataLength} bytes (at most {ushort.MaxValue}).", nameof(target));
        }

        var buffer = new byte[HeaderSize + dataLength];
        Span<byte> span = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(span, isMountPoint ? MountPointTag : SymbolicLinkTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)dataLength);
        Span<byte> data = span[HeaderSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(data, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(data[2..], (ushort)substituteBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(data[4..], (ushort)(substituteBytes + sizeof(char)));
        BinaryPrimitives.WriteUInt16LittleEndian(data[6..], (ushort)printBytes);
        if (!isMountPoint)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data[NameFieldsSize..], isRelative ? SymbolicLinkFlagRelative : 0);
        }

        // The NUL terminators are already there: the array starts zeroed.
        Span<byte> pathBuffer = data[fixedSize..];
        WriteUtf16(ntTarget, pathBuffer);
        WriteUtf16(target, pathBuffer[(substituteBytes + sizeof(char))..]);
        return new ReparsePoint(isMountPoint ? MountPointTag : SymbolicLinkTag, target, ntTarget, isRelative, buffer);
    }

    /// <summary>Decodes a <c>REPARSE_DATA_BUFFER</c>.</summary>
    /// <param name="buffer">
    /// The encoded buffer; <c>ReparseDataLength</c> must account for every byte after the header (8 bytes for Microsoft
    /// tags, 24 with the GUID for others).
    /// </param>
    /// <returns>The reparse point; tags other than symlink and mount point are kept raw with a null <see cref="Target"/>.</returns>
    /// <exception cref="InvalidDataException">The buffer is truncated or its offsets and lengths point outside it.</exception>
    public static ReparsePoint Decode(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < HeaderSize)
        {
            throw new InvalidDataException($"Reparse buffer of {buffer.Length} bytes is shorter than the {HeaderSize}-byte header.");
        }

        uint tag = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        int dataLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..]);
        int headerSize = (tag & MicrosoftTagBit) != 0 ? HeaderSize : GuidHeaderSize;
        if (buffer.Length < headerSize)
        {
            throw new InvalidDataException($"Reparse buffer of {buffer.Length} bytes is shorter than the {headerSize}-byte header of tag 0x{tag:x8}.");
        }

        // FSCTL_SET_REPARSE_POINT rejects a length mismatch, so a buffer that is kept for restoring must match exactly.
        if (dataLength != buffer.Length - headerSize)
        {
            throw new InvalidDataException($"Reparse buffer (tag 0x{tag:x8}) has ReparseDataLength {dataLength} at offset 4, but {buffer.Length - headerSize} bytes follow the {headerSize}-byte header.");
        }

        if (tag is not (SymbolicLinkTag or MountPointTag))
        {
            return new ReparsePoint(tag, null, null, false, buffer.ToArray());
        }

        bool isSymbolicLink = tag == SymbolicLinkTag;
        string kind = isSymbolicLink ? "Symbolic link" : "Mount point";
        int fixedSize = NameFieldsSize + (isSymbolicLink ? SymbolicLinkFlagsSize : 0);
        if (dataLength < fixedSize)
        {
            throw new InvalidDataException($"{kind} reparse buffer has ReparseDataLength {dataLength}; its fixed fields at offset {HeaderSize} need {fixedSize} bytes.");
        }

        ReadOnlySpan<byte> data = buffer[HeaderSize..];
        uint flags = isSymbolicLink ? BinaryPrimitives.ReadUInt32LittleEndian(data[NameFieldsSize..]) : 0;
        int pathBufferOffset = HeaderSize + fixedSize;
        ReadOnlySpan<byte> pathBuffer = buffer[pathBufferOffset..];
        string substituteName = ReadName(data, 0, pathBuffer, pathBufferOffset, kind, "substitute name");
        string printName = ReadName(data, 4, pathBuffer, pathBufferOffset, kind, "print name");
        return new ReparsePoint(tag, printName, substituteName, (flags & SymbolicLinkFlagRelative) != 0, buffer.ToArray());
    }

    private static (string NtPath, bool Relative) ToNtPath(string target)
    {
        if (target.StartsWith(@"\\?\", StringComparison.Ordinal))
        {
            return (string.Concat(@"\??\", target.AsSpan(4)), false);
        }

        if (target.StartsWith(@"\\", StringComparison.Ordinal))
        {
            return (string.Concat(@"\??\UNC\", target.AsSpan(2)), false);
        }

        if (target.Length >= 2 && char.IsAsciiLetter(target[0]) && target[1] == ':')
        {
            return (@"\??\" + target, false);
        }

        // Rooted paths such as \foo count as relative too: they depend on the drive of the link.
        return (target, true);
    }

    private static void WriteUtf16(string value, Span<byte> destination)
    {
        for (int i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * sizeof(char))..], value[i]);
        }
    }

    private static string ReadName(ReadOnlySpan<byte> data, int fieldOffset, ReadOnlySpan<byte> pathBuffer, int pathBufferOffset, string kind, string what)
    {
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(data[fieldOffset..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(data[(fieldOffset + 2)..]);
        if ((offset & 1) != 0 || (length & 1) != 0)
        {
            throw new InvalidDataException($"{kind} reparse buffer has a {what} at path buffer offset {offset} with length {length} (fields at offset {HeaderSize + fieldOffset}); UTF-16 names need even offsets and lengths.");
        }

        if (offset + length > pathBuffer.Length)
        {
            throw new InvalidDataException($"{kind} reparse buffer has a {what} at path buffer offset {offset} with length {length} (fields at offset {HeaderSize + fieldOffset}), past the end of the {pathBuffer.Length}-byte path buffer at offset {pathBufferOffset}.");
        }

        return Encoding.Unicode.GetString(pathBuffer.Slice(offset, length));
    }
}
