using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// Restores a Win32 backup stream into a file kept plain (what <c>BackupWrite</c> does on Windows): data and sparse
/// block bytes go into the file at their offsets, and every other byte, headers included, is kept as a metadata
/// blob in which the data bytes are left out. The blob is stored beside the file (<see cref="UnixLayerRoot.SetStreams"/>, spilling into a blob when too large)
/// unless it is a bare data header, so <see cref="PlainFileBackupReader"/> can rebuild the exact stream.
/// </summary>
/// <remarks>A push parser: bytes arrive in any chunking through <see cref="Write(ReadOnlySpan{byte})"/>.</remarks>
internal sealed class PlainFileBackupWriter : PlainBackupWriter
{
    private const int MaxHeaderSize = BackupStreamHeader.FixedSize + 65536 + sizeof(long);

    private readonly UnixLayerRoot _root;
    private readonly FileStream? _file;
    private readonly SafeFileHandle _handle;
    private readonly string _pathForMessages;
    private readonly MemoryStream _metadata = new();
    // Grown only for a header with a long stream name: one writer per file, most headers are 20 bytes.
    private byte[] _header = new byte[256];
    private int _headerLength;
    private int _headerNeeded = BackupStreamHeader.FixedSize;
    private long _bodyRemaining;
    private bool _bodyElided;
    private long _filePosition;
    private long _fileLength;
    private long _logicalSize;
    private int _dataSizeAt = -1;
    private long _offset;
    private bool _completed;

    /// <param name="root">The root the file is in (its blob store takes metadata too large for an attribute).</param>
    /// <param name="file">The file, or <see langword="null"/> for a directory (whose stream cannot hold data).</param>
    /// <param name="handle">The handle of the file or directory, for the metadata.</param>
    /// <param name="pathForMessages">The path, for messages.</param>
    public PlainFileBackupWriter(UnixLayerRoot root, FileStream? file, SafeFileHandle handle, string pathForMessages)
    {
        _root = root;
        _file = file;
        _handle = handle;
        _pathForMessages = pathForMessages;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            if (_bodyRemaining > 0)
            {
                int n = (int)Math.Min(_bodyRemaining, buffer.Length);
                if (_bodyElided)
                {
                    if (_file is null)
                    {
                        throw new InvalidDataException($"{_pathForMessages}: a directory's backup stream cannot have a data stream.");
                    }

                    // Positioned writes (pwrite): no seek per chunk.
                    RandomAccess.Write(_file.SafeFileHandle, buffer[..n], _filePosition);
                    _filePosition += n;
                    _fileLength = Math.Max(_fileLength, _filePosition);
                    _logicalSize = Math.Max(_logicalSize, _filePosition);
                }
                else
                {
                    _metadata.Write(buffer[..n]);
                }

                _bodyRemaining -= n;
                _offset += n;
                buffer = buffer[n..];
                continue;
            }

            int take = Math.Min(_headerNeeded - _headerLength, buffer.Length);
            buffer[..take].CopyTo(_header.AsSpan(_headerLength));
            _headerLength += take;
            _offset += take;
            buffer = buffer[take..];
            if (_headerLength == _headerNeeded)
            {
                HeaderPartComplete();
            }
        }
    }

    /// <summary>Checks that the stream ended between streams, sizes the file and stores the metadata blob.</summary>
    public override void Complete()
    {
        if (_headerLength != 0 || _bodyRemaining != 0)
        {
            throw new InvalidDataException($"{_pathForMessages}: the backup stream ends inside a stream (offset {_offset}).");
        }

        _completed = true;
        if (_file is not null && _fileLength != _logicalSize)
        {
            // Only a sparse file's trailing hole (or a data stream cut short by sparse blocks) leaves it shorter:
            // truncating a file to its own length still costs ext4 a journal transaction.
            _file.SetLength(_logicalSize);
        }

        _file?.Flush();
        Span<byte> blob = _metadata.GetBuffer().AsSpan(0, (int)_metadata.Length);
        if (_dataSizeAt >= 0 && _logicalSize != 0 && BinaryPrimitives.ReadInt64LittleEndian(blob[_dataSizeAt..]) == _logicalSize)
        {
            BinaryPrimitives.WriteInt64LittleEndian(blob[_dataSizeAt..], StoredStream.FileLengthSize);
        }

        if (!IsBareDataHeader(blob))
        {
            _root.SetStreams(_handle, blob, _pathForMessages);
        }
    }

    public override void Flush() => _file?.Flush();

    private static bool IsBareDataHeader(ReadOnlySpan<byte> blob) =>
        blob.IsEmpty
        || (blob.Length == BackupStreamHeader.FixedSize
            && BinaryPrimitives.ReadUInt32LittleEndian(blob) == (uint)BackupStreamId.Data
            && BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]) == 0);

    private void HeaderPartComplete()
    {
        var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(_header);
        long size = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(8));
        uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(16));
        bool sparse = id == BackupStreamId.SparseBlock;
        int full = BackupStreamHeader.FixedSize + (int)Math.Min(nameSize, 65536) + (sparse ? sizeof(long) : 0);
        if (_headerNeeded == BackupStreamHeader.FixedSize)
        {
            if (size < 0 || (nameSize & 1) != 0 || nameSize > 65536 || (sparse && size < sizeof(long)))
            {
                throw new InvalidDataException($"{_pathForMessages}: invalid backup stream header at offset {_offset - BackupStreamHeader.FixedSize}.");
            }

            if (full > _headerNeeded)
            {
                if (full > _header.Length)
                {
                    Array.Resize(ref _header, Math.Min(MaxHeaderSize, Math.Max(full, _header.Length * 2)));
                }

                _headerNeeded = full;
                return;
            }
        }

        if (id == BackupStreamId.Data && _dataSizeAt < 0)
        {
            _dataSizeAt = (int)_metadata.Length + 8;
        }

        _metadata.Write(_header, 0, _headerLength);
        _headerLength = 0;
        _headerNeeded = BackupStreamHeader.FixedSize;
        _bodyElided = id is BackupStreamId.Data or BackupStreamId.SparseBlock;
        _bodyRemaining = sparse ? size - sizeof(long) : size;
        if (id == BackupStreamId.Data)
        {
            _filePosition = 0;
            _logicalSize = Math.Max(_logicalSize, size);
        }
        else if (sparse)
        {
            _filePosition = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(full - sizeof(long)));
            if (_filePosition < 0)
            {
                throw new InvalidDataException($"{_pathForMessages}: negative sparse block offset.");
            }

            _logicalSize = Math.Max(_logicalSize, _filePosition + _bodyRemaining);
        }
    }
}
