using System.Buffers;
using System.Globalization;
using System.Text;

namespace WcLayer.Oci;

/// <summary>
/// Writes tar archives the way Go's archive/tar writes them for hcsshim, so output is deterministic and comparable
/// with hcsshim's byte for byte: USTAR when the header fits, otherwise PAX with the extended header named
/// <c>PaxHeaders.0/&lt;base name&gt;</c> and its records sorted by key; no record padding to 10 KiB at the end.
/// </summary>
/// <remarks>
/// System.Formats.Tar's writer names PAX headers after the process id and always adds <c>path</c> and <c>mtime</c>
/// records, so its output differs from run to run and from hcsshim's; that is why this part is written here.
/// </remarks>
internal sealed class TarArchiveWriter : IAsyncDisposable
{
    private const int BlockSize = 512;
    private const int NameSize = 100;
    private const int PrefixSize = 155;
    private const int MaxPaxHeaderSize = 1 << 20;

    private readonly Stream _output;
    private readonly byte[] _block = new byte[BlockSize];
    private readonly List<(string Key, string Value)> _standard = new(6);
    private byte[] _records = new byte[4096];
    private long _remaining;
    private long _written;
    private bool _closed;

    public TarArchiveWriter(Stream output) => _output = output;

    /// <summary>Data bytes the current entry still expects.</summary>
    public long Remaining => _remaining;

    public async ValueTask WriteHeaderAsync(TarHeader header, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await FinishEntryAsync(cancellationToken).ConfigureAwait(false);

        _standard.Clear();
        bool ustarPossible = header.PaxRecords.Count == 0;
        bool preferPax = header.PaxRecords.Count > 0;

        string name = header.Name;
        string prefix = string.Empty;
        string ustarName = name;
        if (!IsAscii(name) || Encoding.UTF8.GetByteCount(name) > NameSize)
        {
            _standard.Add((PaxKeys.Path, name));
            if (TrySplitUstarPath(name, out string p, out string s))
            {
                prefix = p;
                ustarName = s;
            }
            else
            {
                ustarPossible = false;
            }
        }

        if (!IsAscii(header.LinkName) || header.LinkName.Length > NameSize)
        {
            _standard.Add((PaxKeys.LinkPath, header.LinkName));
            ustarPossible = false;
        }

        if (!FitsInOctal(12, header.Size))
        {
            _standard.Add((PaxKeys.Size, header.Size.ToString(CultureInfo.InvariantCulture)));
            ustarPossible = false;
        }

        Int128 mtime = header.ModificationTime ?? 0;
        long mtimeSeconds = FloorSeconds(mtime, out bool hasFraction);
        bool mtimeFitsOctal = mtime >= long.MinValue && FitsInOctal(12, mtimeSeconds);
        if (header.ModificationTime is not null && (!mtimeFitsOctal || hasFraction))
        {
            _standard.Add((PaxKeys.ModificationTime, PaxTime.Format(mtime)));
            preferPax = true;
            ustarPossible &= mtimeFitsOctal;
        }

        if (header.AccessTime is { } atime)
        {
            _standard.Add((PaxKeys.AccessTime, PaxTime.Format(atime)));
            preferPax = true;
            ustarPossible = false;
        }

        if (header.ChangeTime is { } ctime)
        {
            _standard.Add((PaxKeys.ChangeTime, PaxTime.Format(ctime)));
            preferPax = true;
            ustarPossible = false;
        }

        if (ustarPossible && !preferPax)
        {
            FillHeader(header, ustarName, prefix, mtimeSeconds, toAscii: false);
            await WriteBlockAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WritePaxExtendedHeaderAsync(name, header.PaxRecords, cancellationToken).ConfigureAwait(false);
            FillHeader(header, name, string.Empty, mtimeSeconds, toAscii: true);
            await WriteBlockAsync(cancellationToken).ConfigureAwait(false);
        }

        _remaining = header.TypeFlag is TarHeader.TypeRegular ? header.Size : 0;
    }

    public async ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.Length > _remaining)
        {
            throw new InvalidOperationException($"Tar entry data is longer than its header's size by {data.Length - _remaining} bytes.");
        }

        await _output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _remaining -= data.Length;
        _written += data.Length;
    }

    /// <summary>Writes <paramref name="count"/> zero bytes of entry data (holes of sparse files).</summary>
    public async ValueTask WriteZerosAsync(long count, CancellationToken cancellationToken)
    {
        byte[] zeros = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(count, 1, 1 << 16));
        try
        {
            Array.Clear(zeros);
            while (count > 0)
            {
                int n = (int)Math.Min(zeros.Length, count);
                await WriteDataAsync(zeros.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(zeros);
        }
    }

    /// <summary>Ends the archive with two zero blocks, as Go's <c>Writer.Close</c>.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return;
        }

        await FinishEntryAsync(cancellationToken).ConfigureAwait(false);
        Array.Clear(_block);
        await WriteBlockAsync(cancellationToken).ConfigureAwait(false);
        await WriteBlockAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        _closed = true;
    }

    public ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    private async ValueTask FinishEntryAsync(CancellationToken cancellationToken)
    {
        if (_remaining != 0)
        {
            throw new InvalidOperationException($"The previous tar entry is missing {_remaining} bytes of data.");
        }

        int padding = (int)((BlockSize - (_written % BlockSize)) % BlockSize);
        if (padding > 0)
        {
            Array.Clear(_block);
            await _output.WriteAsync(_block.AsMemory(0, padding), cancellationToken).ConfigureAwait(false);
        }

        _written = 0;
    }

    private async ValueTask WritePaxExtendedHeaderAsync(string name, SortedDictionary<string, string> extra, CancellationToken cancellationToken)
    {
        // Go sorts every key (its standard ones and the caller's) and a standard record wins over a caller's record
        // with the same key: merge the two sorted lists.
        _standard.Sort((x, y) => Utf8OrdinalComparer.Instance.Compare(x.Key, y.Key));
        int length = 0;
        int next = 0;
        foreach ((string key, string value) in extra)
        {
            while (next < _standard.Count && Utf8OrdinalComparer.Instance.Compare(_standard[next].Key, key) < 0)
            {
                length = AppendPaxRecord(length, _standard[next].Key, _standard[next].Value);
                next++;
            }

            if (next < _standard.Count && _standard[next].Key == key)
            {
                continue; // written below, in its place, by the standard record
            }

            length = AppendPaxRecord(length, key, value);
        }

        for (; next < _standard.Count; next++)
        {
            length = AppendPaxRecord(length, _standard[next].Key, _standard[next].Value);
        }

        if (length > MaxPaxHeaderSize)
        {
            throw new InvalidDataException($"{name}: the PAX extended header would be {length} bytes, more than {MaxPaxHeaderSize}.");
        }

        int slash = name.LastIndexOf('/');
        string headerName = slash < 0 ? "PaxHeaders.0/" + name : name[..(slash + 1)] + "PaxHeaders.0/" + name[(slash + 1)..];
        headerName = ToAscii(headerName);
        if (headerName.Length > NameSize)
        {
            headerName = headerName[..NameSize];
        }

        headerName = headerName.TrimEnd('/');
        Array.Clear(_block);
        PutString(0, NameSize, headerName);
        PutOctal(100, 8, 0);
        PutOctal(108, 8, 0);
        PutOctal(116, 8, 0);
        PutOctal(124, 12, length);
        PutOctal(136, 12, 0);
        _block[156] = (byte)'x';
        SetUstarMagicAndChecksum();
        await WriteBlockAsync(cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(_records.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        _written = length;
        await FinishEntryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends <c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>, where the length counts its own digits (adding them may add a digit).</summary>
    private int AppendPaxRecord(int at, string key, string value)
    {
        if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Invalid PAX record key '{key}'.");
        }

        int keyBytes = Encoding.UTF8.GetByteCount(key);
        int valueBytes = Encoding.UTF8.GetByteCount(value);
        int size = keyBytes + valueBytes + 3;
        size += DecimalDigits(size);
        size = keyBytes + valueBytes + 3 + DecimalDigits(size);
        if (_records.Length < at + size)
        {
            Array.Resize(ref _records, Math.Max(_records.Length * 2, at + size));
        }

        Span<byte> record = _records.AsSpan(at, size);
        int n = DecimalDigits(size);
        for (int i = n - 1, v = size; i >= 0; i--, v /= 10)
        {
            record[i] = (byte)('0' + (v % 10));
        }

        record[n++] = (byte)' ';
        n += Encoding.UTF8.GetBytes(key, record[n..]);
        record[n++] = (byte)'=';
        n += Encoding.UTF8.GetBytes(value, record[n..]);
        record[n] = (byte)'\n';
        return at + size;
    }

    private static int DecimalDigits(int value) => value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : value < 1000000 ? 6 : value < 10000000 ? 7 : 8;

    private void FillHeader(TarHeader header, string name, string prefix, long mtimeSeconds, bool toAscii)
    {
        Array.Clear(_block);
        PutString(0, NameSize, toAscii ? ToAscii(name) : name);
        PutOctal(100, 8, header.Mode);
        PutOctal(108, 8, 0);
        PutOctal(116, 8, 0);
        PutOctal(124, 12, header.Size);
        PutOctal(136, 12, mtimeSeconds);
        _block[156] = header.TypeFlag;
        PutString(157, NameSize, toAscii ? ToAscii(header.LinkName) : header.LinkName);
        PutOctal(329, 8, 0);
        PutOctal(337, 8, 0);
        PutString(345, PrefixSize, prefix);
        SetUstarMagicAndChecksum();
    }

    private void SetUstarMagicAndChecksum()
    {
        "ustar\0"u8.CopyTo(_block.AsSpan(257));
        "00"u8.CopyTo(_block.AsSpan(263));
        _block.AsSpan(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in _block)
        {
            sum += b;
        }

        PutOctal(148, 7, sum);
        _block[155] = (byte)' ';
    }

    /// <summary>Go's <c>formatString</c>: copy, truncating silently, NUL-terminated when shorter than the field.</summary>
    private void PutString(int offset, int length, string value)
    {
        Span<byte> field = _block.AsSpan(offset, length);
        int n = Encoding.UTF8.GetBytes(value.AsSpan(0, Math.Min(value.Length, length)), field);
        if (n < length)
        {
            field[n] = 0;
        }
    }

    /// <summary>Go's <c>formatOctal</c>: zero-padded to the field width minus one, NUL-terminated; 0 if it does not fit.</summary>
    private void PutOctal(int offset, int length, long value)
    {
        if (!FitsInOctal(length, value))
        {
            value = 0;
        }

        Span<byte> field = _block.AsSpan(offset, length);
        for (int i = length - 2; i >= 0; i--, value >>= 3)
        {
            field[i] = (byte)('0' + (value & 7));
        }

        field[length - 1] = 0;
    }

    private static bool FitsInOctal(int fieldLength, long value) =>
        value >= 0 && (fieldLength >= 22 || value < 1L << ((fieldLength - 1) * 3));

    private static long FloorSeconds(Int128 ns, out bool hasFraction)
    {
        Int128 seconds = ns / 1_000_000_000;
        Int128 rest = ns % 1_000_000_000;
        if (rest < 0)
        {
            seconds -= 1;
        }

        hasFraction = rest != 0;
        return seconds < long.MinValue || seconds > long.MaxValue ? -1 : (long)seconds;
    }

    /// <summary>Go's <c>splitUSTARPath</c>: a name over 100 bytes may go in prefix (≤ 155) + name (≤ 100) at a slash.</summary>
    private static bool TrySplitUstarPath(string name, out string prefix, out string suffix)
    {
        prefix = suffix = string.Empty;
        int length = name.Length;
        if (length <= NameSize || !IsAscii(name))
        {
            return false;
        }

        if (length > PrefixSize + 1)
        {
            length = PrefixSize + 1;
        }
        else if (name[length - 1] == '/')
        {
            length--;
        }

        int i = name.LastIndexOf('/', length - 1);
        int suffixLength = name.Length - i - 1;
        if (i <= 0 || suffixLength > NameSize || suffixLength == 0 || i > PrefixSize)
        {
            return false;
        }

        prefix = name[..i];
        suffix = name[(i + 1)..];
        return true;
    }

    private static bool IsAscii(string s) => Ascii.IsValid(s);

    private static string ToAscii(string s)
    {
        if (IsAscii(s))
        {
            return s;
        }

        var b = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is < (char)0x80 and not '\0')
            {
                b.Append(c);
            }
        }

        return b.ToString();
    }

    private ValueTask WriteBlockAsync(CancellationToken cancellationToken) => _output.WriteAsync(_block, cancellationToken);
}
