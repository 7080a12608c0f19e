using System.Globalization;

namespace WcLayer.Oci;

/// <summary>
/// The dense content of a GNU PAX sparse 1.0 entry (<c>GNU.sparse.major=1</c>, what <c>tar --sparse --format=posix</c>
/// writes): the entry data starts with a map (decimal lines: the number of chunks, then offset and size of each),
/// padded to 512 bytes, followed by the chunks; the holes read as zeros up to <c>GNU.sparse.realsize</c>.
/// </summary>
internal sealed class PaxSparseStream : ReadOnlyStream
{
    private const int BlockSize = 512;
    private const int MaxChunks = 1 << 20;

    private readonly Stream _archived;
    private readonly long _length;
    private readonly string _entryName;
    private List<(long Offset, long Size)>? _chunks;
    private int _chunk;
    private long _position;

    public PaxSparseStream(Stream archived, long length, string entryName)
    {
        _archived = archived;
        _length = length;
        _entryName = entryName;
    }

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        _chunks ??= ReadMap();
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        while (_chunk < _chunks.Count && _position >= _chunks[_chunk].Offset + _chunks[_chunk].Size)
        {
            _chunk++;
        }

        long nextChunk = _chunk < _chunks.Count ? _chunks[_chunk].Offset : _length;
        int n;
        if (_position < nextChunk)
        {
            n = (int)Math.Min(buffer.Length, nextChunk - _position);
            buffer[..n].Clear();
        }
        else
        {
            (long start, long size) = _chunks[_chunk];
            n = _archived.Read(buffer[..(int)Math.Min(buffer.Length, start + size - _position)]);
            if (n == 0)
            {
                throw new InvalidDataException($"Tar entry '{_entryName}': the sparse data ends early.");
            }
        }

        _position += n;
        return n;
    }

    private List<(long, long)> ReadMap()
    {
        long consumed = 0;
        long count = ReadNumber(ref consumed);
        if (count > MaxChunks)
        {
            throw Invalid($"{count} chunks");
        }

        var chunks = new List<(long, long)>((int)count);
        long end = 0;
        for (long i = 0; i < count; i++)
        {
            long offset = ReadNumber(ref consumed);
            long size = ReadNumber(ref consumed);
            if (offset < end || size > _length - offset)
            {
                throw Invalid($"chunk {i} at {offset} of {size} bytes");
            }

            end = offset + size;
            if (size > 0)
            {
                chunks.Add((offset, size));
            }
        }

        Span<byte> padding = stackalloc byte[BlockSize];
        int skip = (int)((BlockSize - consumed % BlockSize) % BlockSize);
        if (_archived.ReadAtLeast(padding[..skip], skip, throwOnEndOfStream: false) < skip)
        {
            throw Invalid("a truncated map");
        }

        return chunks;
    }

    private long ReadNumber(ref long consumed)
    {
        long value = 0;
        int digits = 0;
        while (true)
        {
            int b = _archived.ReadByte();
            consumed++;
            if (b == '\n' && digits > 0)
            {
                return value;
            }

            if (b is < '0' or > '9' || digits >= 18)
            {
                throw Invalid("a malformed map");
            }

            value = value * 10 + (b - '0');
            digits++;
        }
    }

    private InvalidDataException Invalid(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Tar entry '{_entryName}': the GNU sparse 1.0 map has {what}."));
}
