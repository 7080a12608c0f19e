using System.Buffers;
using System.Globalization;
using System.Text;

namespace WcLayer.Oci;

/// <summary>
/// Passes a tar stream through to <see cref="System.Formats.Tar.TarReader"/> while following the archive's framing
/// itself, to catch what TarReader lets through silently: a header whose checksum is wrong (TarReader never checks
/// it), data after the end-of-archive block (TarReader stops at the first zero block, so a lone zero block or a
/// zeroed header in the middle dropped every later entry), extended headers larger than the writer's limit (TarReader
/// buffers them whole), and names that are not UTF-8 (TarReader turns bad bytes into U+FFFD, so two names could
/// become one).
/// </summary>
/// <remarks>
/// The checks follow Go's <c>archive/tar</c>, which hcsshim uses: a checksum is valid as the unsigned or the signed
/// sum; two zero blocks, or a zero block at the end of the stream, end the archive. The stream is not seekable, so
/// TarReader reads every byte through it; data regions are only counted, never inspected.
/// </remarks>
internal sealed class TarIntegrityStream : ReadOnlyStream
{
    /// <summary>The largest extended header (PAX records, GNU long name) read or written: 1 MiB.</summary>
    public const int MaxExtendedHeaderSize = 1 << 20;

    private const int BlockSize = 512;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _position;
    private long _nextHeader;
    private long _endOfArchive = -1;

    // The extended header being read: its type, its data (for 'x', 'L', 'K'), and where its data ends.
    private byte _extendedType;
    private byte[]? _extended;
    private int _extendedFill;
    private int _extendedSize;

    // What the extended headers before the next real header said.
    private long? _paxSize;
    private bool _hasPaxPath;
    private bool _hasPaxLinkPath;
    private bool _hasLongName;
    private bool _hasLongLink;

    public TarIntegrityStream(Stream inner, bool leaveOpen)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Reads what follows the end-of-archive block to the end of the stream: only zero bytes may (GNU tar pads the
    /// last record with them).
    /// </summary>
    /// <exception cref="InvalidDataException">Anything else follows: the archive is damaged.</exception>
    public async ValueTask VerifyEndAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnExtended();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_endOfArchive >= 0)
            {
                int nonZero = bytes.IndexOfAnyExcept((byte)0);
                if (nonZero >= 0)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"The tar archive is damaged: its end-of-archive block at offset {_endOfArchive} is followed by data at offset {_position + nonZero}. A header there is corrupt (a zeroed header or a lone zero block ends the archive early), so the entries after it would be lost."));
                }

                _position += bytes.Length;
                return;
            }

            if (_position < _nextHeader)
            {
                int take = (int)Math.Min(bytes.Length, _nextHeader - _position);
                CollectExtended(bytes[..take]);
                _position += take;
                bytes = bytes[take..];
                continue;
            }

            int copy = Math.Min(bytes.Length, BlockSize - _headerFill);
            bytes[..copy].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += copy;
            _position += copy;
            bytes = bytes[copy..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader(_position - BlockSize);
            }
        }
    }

    private void CollectExtended(ReadOnlySpan<byte> bytes)
    {
        if (_extended is null || _extendedFill >= _extendedSize)
        {
            return;
        }

        int take = Math.Min(bytes.Length, _extendedSize - _extendedFill);
        bytes[..take].CopyTo(_extended.AsSpan(_extendedFill));
        _extendedFill += take;
        if (_extendedFill == _extendedSize)
        {
            OnExtendedData(_extended.AsSpan(0, _extendedSize));
            ReturnExtended();
        }
    }

    private void OnHeader(long offset)
    {
        ReadOnlySpan<byte> header = _header;
        if (!header.ContainsAnyExcept((byte)0))
        {
            _endOfArchive = offset;
            return;
        }

        VerifyChecksum(header, offset);
        byte type = header[156];
        long size = ParseNumber(header.Slice(124, 12), offset, "size");
        if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K')
        {
            if (size > MaxExtendedHeaderSize)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"The tar header at offset {offset} starts an extended header ('{(char)type}') of {size} bytes, more than the limit of {MaxExtendedHeaderSize} bytes (the same limit applies when writing, so what is read can be written again)."));
            }

            _extendedType = type;
            if (type != (byte)'g' && size > 0)
            {
                _extendedSize = (int)size;
                _extendedFill = 0;
                _extended = ArrayPool<byte>.Shared.Rent(_extendedSize);
            }

            _nextHeader = _position + RoundUp(size);
            return;
        }

        VerifyNames(header, offset);
        bool headerOnly = type is (byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6';
        long dataSize = headerOnly ? 0 : _paxSize ?? size;
        _paxSize = null;
        _hasPaxPath = _hasPaxLinkPath = _hasLongName = _hasLongLink = false;
        _nextHeader = _position + RoundUp(dataSize);
    }

    private void OnExtendedData(ReadOnlySpan<byte> data)
    {
        long offset = _position - _extendedFill;
        switch (_extendedType)
        {
            case (byte)'L':
                RequireUtf8(TrimNul(data), offset, "long name");
                _hasLongName = true;
                break;
            case (byte)'K':
                RequireUtf8(TrimNul(data), offset, "long link name");
                _hasLongLink = true;
                break;
            case (byte)'x':
                ReadPaxRecords(data, offset);
                break;
        }
    }

    /// <summary>Takes what framing and names need from PAX records; their syntax is TarReader's to check.</summary>
    private void ReadPaxRecords(ReadOnlySpan<byte> data, long offset)
    {
        while (!data.IsEmpty)
        {
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || length <= space + 1 || length > data.Length)
            {
                return;
            }

            ReadOnlySpan<byte> record = data[(space + 1)..(length - 1)];
            data = data[length..];
            int equals = record.IndexOf((byte)'=');
            if (equals < 0)
            {
                return;
            }

            ReadOnlySpan<byte> key = record[..equals];
            ReadOnlySpan<byte> value = record[(equals + 1)..];
            if (key.SequenceEqual("size"u8))
            {
                _paxSize = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long size) ? size : null;
            }
            else if (key.SequenceEqual("path"u8))
            {
                RequireUtf8(value, offset, "PAX path");
                _hasPaxPath = true;
            }
            else if (key.SequenceEqual("linkpath"u8))
            {
                RequireUtf8(value, offset, "PAX link path");
                _hasPaxLinkPath = true;
            }
        }
    }

    /// <summary>Checks the name fields a reader will use: those an extended header overrides are left alone.</summary>
    private void VerifyNames(ReadOnlySpan<byte> header, long offset)
    {
        if (!_hasPaxPath && !_hasLongName)
        {
            RequireUtf8(TrimNul(header[..100]), offset, "name");
            if (header.Slice(257, 6).SequenceEqual("ustar\0"u8))
            {
                RequireUtf8(TrimNul(header.Slice(345, 155)), offset, "name prefix");
            }
        }

        if (!_hasPaxLinkPath && !_hasLongLink)
        {
            RequireUtf8(TrimNul(header.Slice(157, 100)), offset, "link name");
        }
    }

    private static void RequireUtf8(ReadOnlySpan<byte> bytes, long offset, string field)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The tar entry at offset {offset} has a {field} that is not valid UTF-8 (bytes {Convert.ToHexString(bytes)}). Windows names are Unicode; replacing the bad bytes could merge two different names into one, so the entry is refused."));
        }
    }

    private static void VerifyChecksum(ReadOnlySpan<byte> header, long offset)
    {
        (long unsigned, long signed) = TarHeaderChecksum.Sums(header);

        long stored;
        try
        {
            stored = ParseNumber(header.Slice(148, 8), offset, "checksum");
        }
        catch (InvalidDataException)
        {
            stored = -1;
        }

        if (stored != unsigned && stored != signed)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The tar header at offset {offset} has a bad checksum (stored '{Encoding.ASCII.GetString(TrimNul(header.Slice(148, 8))).Trim()}', computed {Convert.ToString(unsigned, 8)}): the archive is damaged."));
        }
    }

    /// <summary>A numeric field: octal digits (space- or NUL-padded), or GNU's base-256 for large values.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field, long offset, string what)
    {
        if ((field[0] & 0x80) != 0)
        {
            if (field.Length <= 8 || (field[0] & 0x7F) != 0 || field[1..^8].ContainsAnyExcept((byte)0))
            {
                throw BadNumber(offset, what);
            }

            long value = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(field[^8..]);
            return value >= 0 ? value : throw BadNumber(offset, what);
        }

        ReadOnlySpan<byte> digits = field.Trim((byte)' ');
        int end = digits.IndexOfAny((byte)0, (byte)' ');
        digits = end < 0 ? digits : digits[..end];
        long result = 0;
        foreach (byte d in digits)
        {
            if (d is < (byte)'0' or > (byte)'7' || result > long.MaxValue >> 3)
            {
                throw BadNumber(offset, what);
            }

            result = (result << 3) | (uint)(d - '0');
        }

        return result;
    }

    private static InvalidDataException BadNumber(long offset, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The tar header at offset {offset} has a malformed {what} field: the archive is damaged."));

    private static ReadOnlySpan<byte> TrimNul(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    private static long RoundUp(long size) => (size + BlockSize - 1) & ~(long)(BlockSize - 1);

    private void ReturnExtended()
    {
        if (_extended is not null)
        {
            ArrayPool<byte>.Shared.Return(_extended);
            _extended = null;
        }
    }
}
