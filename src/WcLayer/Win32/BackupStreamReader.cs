using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace WcLayer.Win32;

/// <summary>
/// Reads a Win32 backup stream (the format of <c>BackupRead</c>, [MS-BKUP]) header by header, with each stream's data
/// readable in chunks, so nothing is buffered beyond the caller's buffer.
/// </summary>
/// <remarks>
/// Streams follow each other with no padding, as go-winio reads and writes them. Errors in the input throw
/// <see cref="InvalidDataException"/> with the byte offset of the problem.
/// </remarks>
public sealed class BackupStreamReader : IDisposable
{
    private const int MaxNameBytes = 64 * 1024;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private long _remaining;
    private long _position;
    private bool _disposed;

    /// <summary>Creates a reader over <paramref name="source"/>.</summary>
    /// <param name="source">The backup stream bytes.</param>
    /// <param name="leaveOpen">Leave <paramref name="source"/> open when this reader is disposed.</param>
    public BackupStreamReader(Stream source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes of the current stream's data not read yet.</summary>
    public long Remaining => _remaining;

    /// <summary>Bytes consumed from the source since this reader was created.</summary>
    public long Position => _position;

    /// <summary>The header of the current stream, if any.</summary>
    public BackupStreamHeader? Current { get; private set; }

    /// <summary>Advances to the next stream, skipping whatever is left of the current one.</summary>
    /// <returns>The next header, or <see langword="null"/> at a clean end of input.</returns>
    /// <exception cref="InvalidDataException">The input is truncated or malformed.</exception>
    public BackupStreamHeader? ReadNextHeader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Skip(_remaining);
        Current = null;

        long headerOffset = _position;
        Span<byte> fixedPart = stackalloc byte[BackupStreamHeader.FixedSize];
        int got = ReadAtMost(fixedPart);
        if (got == 0)
        {
            return null;
        }

        if (got < fixedPart.Length)
        {
            throw new InvalidDataException($"Backup stream truncated at offset {headerOffset}: a stream header needs {BackupStreamHeader.FixedSize} bytes, got {got}.");
        }

        var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(fixedPart);
        var attributes = (BackupStreamAttributes)BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[4..]);
        long size = BinaryPrimitives.ReadInt64LittleEndian(fixedPart[8..]);
        uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[16..]);

        if (size < 0)
        {
            throw new InvalidDataException($"Backup stream header at offset {headerOffset} has a negative size ({size}).");
        }

        if ((nameSize & 1) != 0)
        {
            throw new InvalidDataException($"Backup stream header at offset {headerOffset} has an odd name length ({nameSize}); names are UTF-16.");
        }

        if (nameSize > MaxNameBytes)
        {
            throw new InvalidDataException($"Backup stream header at offset {headerOffset} has a name of {nameSize} bytes (at most {MaxNameBytes}).");
        }

        string name = string.Empty;
        if (nameSize > 0)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent((int)nameSize);
            try
            {
                Span<byte> nameBytes = rented.AsSpan(0, (int)nameSize);
                ReadExactly(nameBytes, "stream name", headerOffset);
                name = Encoding.Unicode.GetString(nameBytes);
                int nul = name.IndexOf('\0', StringComparison.Ordinal);
                if (nul >= 0)
                {
                    name = name[..nul];
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        long offset = 0;
        if (id == BackupStreamId.SparseBlock)
        {
            if (size < sizeof(long))
            {
                throw new InvalidDataException($"Sparse block header at offset {headerOffset} has size {size}; it must include the 8-byte offset.");
            }

            Span<byte> offsetBytes = stackalloc byte[sizeof(long)];
            ReadExactly(offsetBytes, "sparse block offset", headerOffset);
            offset = BinaryPrimitives.ReadInt64LittleEndian(offsetBytes);
            if (offset < 0)
            {
                throw new InvalidDataException($"Sparse block header at offset {headerOffset} has a negative file offset ({offset}).");
            }

            size -= sizeof(long);
        }

        _remaining = size;
        var header = new BackupStreamHeader(id, attributes, size, name, offset);
        Current = header;
        return header;
    }

    /// <summary>Reads data of the current stream.</summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <returns>Bytes read; 0 at the end of the current stream.</returns>
    /// <exception cref="InvalidDataException">The input ends inside the stream's data.</exception>
    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (buffer.Length > _remaining)
        {
            buffer = buffer[..(int)_remaining];
        }

        int n = _source.Read(buffer);
        if (n == 0)
        {
            throw Truncated();
        }

        _remaining -= n;
        _position += n;
        return n;
    }

    /// <summary>Reads data of the current stream asynchronously.</summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Bytes read; 0 at the end of the current stream.</returns>
    /// <exception cref="InvalidDataException">The input ends inside the stream's data.</exception>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (buffer.Length > _remaining)
        {
            buffer = buffer[..(int)_remaining];
        }

        int n = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw Truncated();
        }

        _remaining -= n;
        _position += n;
        return n;
    }

    /// <summary>Reads all of the current stream's data; for small streams (security, EAs, reparse data).</summary>
    /// <param name="maxLength">The largest stream accepted.</param>
    /// <returns>The data.</returns>
    /// <exception cref="InvalidDataException">The stream is larger than <paramref name="maxLength"/> or truncated.</exception>
    public byte[] ReadToEnd(int maxLength = 16 * 1024 * 1024)
    {
        if (_remaining > maxLength)
        {
            throw new InvalidDataException($"Backup stream at offset {_position} holds {_remaining} bytes of {Current?.Id} data, more than the {maxLength} accepted.");
        }

        var data = new byte[_remaining];
        ReadExactly(data, $"{Current?.Id} data", _position);
        _remaining = 0;
        return data;
    }

    /// <summary>Copies the rest of the current stream's data to <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to copy.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>A task that completes when the data is copied.</returns>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_remaining, 1), 1 << 20));
        try
        {
            int n;
            while ((n = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }
    }

    private void Skip(long count)
    {
        if (count == 0)
        {
            return;
        }

        if (_source.CanSeek)
        {
            long available = _source.Length - _source.Position;
            if (available < count)
            {
                _source.Seek(available, SeekOrigin.Current);
                _position += available;
                _remaining -= available;
                throw Truncated();
            }

            _source.Seek(count, SeekOrigin.Current);
            _position += count;
            _remaining = 0;
            return;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, 1 << 16));
        try
        {
            while (_remaining > 0)
            {
                _ = Read(scratch.AsSpan(0, (int)Math.Min(scratch.Length, _remaining)));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private int ReadAtMost(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _source.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        _position += total;
        return total;
    }

    private void ReadExactly(Span<byte> buffer, string what, long headerOffset)
    {
        int got = ReadAtMost(buffer);
        if (got < buffer.Length)
        {
            throw new InvalidDataException($"Backup stream truncated at offset {_position}: the {what} of the stream at offset {headerOffset} needs {buffer.Length} bytes, got {got}.");
        }
    }

    private InvalidDataException Truncated() =>
        new($"Backup stream truncated at offset {_position}: {_remaining} more bytes of {Current?.Id} data expected.");
}
