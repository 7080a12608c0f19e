using System.Buffers.Binary;
using System.Text;

namespace WcLayer.Win32;

/// <summary>Writes a Win32 backup stream header by header, with no padding between streams (as go-winio).</summary>
public sealed class BackupStreamWriter : IDisposable
{
    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private long _remaining;
    private bool _disposed;

    /// <summary>Creates a writer over <paramref name="destination"/>.</summary>
    /// <param name="destination">Where the backup stream goes.</param>
    /// <param name="leaveOpen">Leave <paramref name="destination"/> open when this writer is disposed.</param>
    public BackupStreamWriter(Stream destination, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _destination = destination;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes the current stream still expects.</summary>
    public long Remaining => _remaining;

    /// <summary>Starts a stream.</summary>
    /// <param name="header">The header; <see cref="BackupStreamHeader.Size"/> is the data size (excluding a sparse block's offset).</param>
    /// <exception cref="InvalidOperationException">The previous stream is incomplete ("missing N bytes").</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size or sparse offset is negative, or a sparse block's size plus its 8-byte offset field overflows.</exception>
    public void WriteHeader(BackupStreamHeader header)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remaining != 0)
        {
            throw new InvalidOperationException($"The previous backup stream is missing {_remaining} bytes.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(header.Size, nameof(header));
        ArgumentOutOfRangeException.ThrowIfNegative(header.Offset, nameof(header));
        string name = header.Name ?? string.Empty;
        int nameBytes = Encoding.Unicode.GetByteCount(name);
        bool sparse = header.Id == BackupStreamId.SparseBlock;
        if (sparse)
        {
            // The wire size adds the 8-byte offset and must still fit an int64.
            ArgumentOutOfRangeException.ThrowIfGreaterThan(header.Size, long.MaxValue - sizeof(long), nameof(header));
        }

        Span<byte> buffer = stackalloc byte[BackupStreamHeader.FixedSize + sizeof(long)];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)header.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], (uint)header.Attributes);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], sparse ? header.Size + sizeof(long) : header.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[16..], (uint)nameBytes);
        _destination.Write(buffer[..BackupStreamHeader.FixedSize]);
        if (nameBytes > 0)
        {
            _destination.Write(Encoding.Unicode.GetBytes(name));
        }

        if (sparse)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, header.Offset);
            _destination.Write(buffer[..sizeof(long)]);
        }

        _remaining = header.Size;
    }

    /// <summary>Writes data of the current stream.</summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException">More bytes than the header announced ("too many bytes by K"); nothing is written.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length > _remaining)
        {
            throw new InvalidOperationException($"Backup stream write has too many bytes by {data.Length - _remaining}.");
        }

        _destination.Write(data);
        _remaining -= data.Length;
    }

    /// <summary>Writes data of the current stream asynchronously.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    /// <exception cref="InvalidOperationException">More bytes than the header announced; nothing is written.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length > _remaining)
        {
            throw new InvalidOperationException($"Backup stream write has too many bytes by {data.Length - _remaining}.");
        }

        await _destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _remaining -= data.Length;
    }

    /// <summary>Writes a whole stream: header and data.</summary>
    /// <param name="id">The stream kind.</param>
    /// <param name="data">The data.</param>
    /// <param name="name">The stream name.</param>
    /// <param name="attributes">The stream attributes.</param>
    public void WriteStream(BackupStreamId id, ReadOnlySpan<byte> data, string name = "", BackupStreamAttributes attributes = BackupStreamAttributes.None)
    {
        WriteHeader(new BackupStreamHeader(id, attributes, data.Length, name));
        Write(data);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _destination.Dispose();
            }
        }
    }
}
