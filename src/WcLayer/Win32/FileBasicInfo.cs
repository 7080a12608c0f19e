using System.Buffers.Binary;

namespace WcLayer.Win32;

/// <summary>
/// The Win32 <c>FILE_BASIC_INFO</c> structure: the four file times as FILETIME values (100-nanosecond intervals
/// since 1601-01-01 UTC) and the file attributes.
/// </summary>
/// <remarks>
/// As with <c>SetFileInformationByHandle</c>, a time of 0 means "not set" (do not change) and attributes of 0 mean
/// "no attributes given". The binary form is the 40-byte little-endian layout Windows uses (four 64-bit times, a
/// 32-bit attribute word, 4 bytes of padding).
/// </remarks>
/// <param name="CreationTime">Creation time, FILETIME ticks.</param>
/// <param name="LastAccessTime">Last access time, FILETIME ticks.</param>
/// <param name="LastWriteTime">Last write time, FILETIME ticks.</param>
/// <param name="ChangeTime">Change (metadata) time, FILETIME ticks.</param>
/// <param name="FileAttributes">The Win32 file attributes.</param>
public readonly record struct FileBasicInfo(
    long CreationTime,
    long LastAccessTime,
    long LastWriteTime,
    long ChangeTime,
    FileAttributes FileAttributes)
{
    /// <summary>The size of the binary <c>FILE_BASIC_INFO</c> layout, in bytes.</summary>
    public const int BinarySize = 40;

    /// <summary>Whether <see cref="FileAttributes"/> includes <see cref="FileAttributes.Directory"/>.</summary>
    public bool IsDirectory => (FileAttributes & FileAttributes.Directory) != 0;

    /// <summary>Whether <see cref="FileAttributes"/> includes <see cref="FileAttributes.ReparsePoint"/>.</summary>
    public bool IsReparsePoint => (FileAttributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>Creates an instance whose four times are all <paramref name="time"/>.</summary>
    /// <param name="time">The time for all four fields.</param>
    /// <param name="attributes">The file attributes.</param>
    /// <returns>The new instance.</returns>
    public static FileBasicInfo FromTime(DateTimeOffset time, FileAttributes attributes)
    {
        long ticks = FileTime.FromDateTimeOffset(time);
        return new FileBasicInfo(ticks, ticks, ticks, ticks, attributes);
    }

    /// <summary>The creation time as a UTC <see cref="DateTimeOffset"/>, or <see langword="null"/> when not set (0).</summary>
    public DateTimeOffset? CreationTimeUtc => FileTime.ToDateTimeOffsetOrNull(CreationTime);

    /// <summary>The last access time as a UTC <see cref="DateTimeOffset"/>, or <see langword="null"/> when not set (0).</summary>
    public DateTimeOffset? LastAccessTimeUtc => FileTime.ToDateTimeOffsetOrNull(LastAccessTime);

    /// <summary>The last write time as a UTC <see cref="DateTimeOffset"/>, or <see langword="null"/> when not set (0).</summary>
    public DateTimeOffset? LastWriteTimeUtc => FileTime.ToDateTimeOffsetOrNull(LastWriteTime);

    /// <summary>The change time as a UTC <see cref="DateTimeOffset"/>, or <see langword="null"/> when not set (0).</summary>
    public DateTimeOffset? ChangeTimeUtc => FileTime.ToDateTimeOffsetOrNull(ChangeTime);

    /// <summary>Writes the 40-byte <c>FILE_BASIC_INFO</c> layout.</summary>
    /// <param name="destination">At least <see cref="BinarySize"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < BinarySize)
        {
            throw new ArgumentException($"FILE_BASIC_INFO needs {BinarySize} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteInt64LittleEndian(destination, CreationTime);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], LastAccessTime);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], LastWriteTime);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], ChangeTime);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], (uint)FileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], 0);
    }

    /// <summary>Reads the 40-byte <c>FILE_BASIC_INFO</c> layout.</summary>
    /// <param name="source">At least <see cref="BinarySize"/> bytes.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="InvalidDataException"><paramref name="source"/> is shorter than 40 bytes.</exception>
    public static FileBasicInfo ReadFrom(ReadOnlySpan<byte> source)
    {
        if (source.Length < BinarySize)
        {
            throw new InvalidDataException($"FILE_BASIC_INFO is {BinarySize} bytes, got {source.Length}.");
        }

        return new FileBasicInfo(
            BinaryPrimitives.ReadInt64LittleEndian(source),
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            (FileAttributes)BinaryPrimitives.ReadUInt32LittleEndian(source[32..]));
    }
}
