using System.Buffers.Binary;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// Rebuilds the backup stream of a file kept plain from its metadata blob (see <see cref="PlainFileBackupWriter"/>)
/// and its content, what <c>BackupRead</c> returns on Windows. Without a blob, a file is one data stream and a
/// directory is empty.
/// </summary>
internal sealed class PlainFileBackupReader : ReadOnlyStream
{
    private readonly byte[] _blob;
    private readonly FileStream? _file;
    private readonly bool _includeSecurity;
    private readonly string _pathForMessages;
    private int _blobPosition;
    private int _headerEnd = -1;
    private long _bodyRemaining;
    private bool _bodyElided;
    private long _filePosition;

    public PlainFileBackupReader(byte[]? blob, FileStream? file, bool includeSecurity, string pathForMessages)
    {
        _file = file;
        _includeSecurity = includeSecurity;
        _pathForMessages = pathForMessages;
        if (blob is null)
        {
            if (file is null)
            {
                _blob = [];
            }
            else
            {
                _blob = new byte[BackupStreamHeader.FixedSize];
                BinaryPrimitives.WriteUInt32LittleEndian(_blob, (uint)BackupStreamId.Data);
                BinaryPrimitives.WriteInt64LittleEndian(_blob.AsSpan(8), file.Length);
            }
        }
        else
        {
            _blob = blob;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (!buffer.IsEmpty)
        {
            int n;
            if (_headerEnd > _blobPosition)
            {
                n = Math.Min(_headerEnd - _blobPosition, buffer.Length);
                _blob.AsSpan(_blobPosition, n).CopyTo(buffer);
                _blobPosition += n;
            }
            else if (_bodyRemaining > 0)
            {
                n = (int)Math.Min(_bodyRemaining, buffer.Length);
                if (_bodyElided)
                {
                    _file!.Position = _filePosition;
                    n = _file.Read(buffer[..n]);
                    if (n == 0)
                    {
                        throw new InvalidDataException($"{_pathForMessages}: the file is shorter than its stored backup stream says.");
                    }

                    _filePosition += n;
                }
                else
                {
                    _blob.AsSpan(_blobPosition, n).CopyTo(buffer);
                    _blobPosition += n;
                }

                _bodyRemaining -= n;
            }
            else if (!NextHeader())
            {
                break;
            }
            else
            {
                continue;
            }

            buffer = buffer[n..];
            total += n;
        }

        return total;
    }

    /// <summary>The logical size of a plain file from its blob: the first data stream's size, or for a sparse file the end of its last block.</summary>
    public static long LogicalSize(byte[] blob, string pathForMessages)
    {
        long sparseEnd = 0;
        int position = 0;
        while (position + BackupStreamHeader.FixedSize <= blob.Length)
        {
            ReadOnlySpan<byte> rest = blob.AsSpan(position);
            var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(rest);
            var attributes = (BackupStreamAttributes)BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            long size = BinaryPrimitives.ReadInt64LittleEndian(rest[8..]);
            long nameSize = BinaryPrimitives.ReadUInt32LittleEndian(rest[16..]);
            bool sparse = id == BackupStreamId.SparseBlock;
            long header = BackupStreamHeader.FixedSize + nameSize + (sparse ? sizeof(long) : 0);
            if (size < 0 || header > rest.Length)
            {
                throw new InvalidDataException($"{pathForMessages}: the stored Windows metadata ({UnixLayerRoot.StreamsAttribute}) is corrupt at offset {position}.");
            }

            if (id == BackupStreamId.Data && (size > 0 || (attributes & BackupStreamAttributes.Sparse) == 0))
            {
                return size;
            }

            if (sparse)
            {
                sparseEnd = Math.Max(sparseEnd, BinaryPrimitives.ReadInt64LittleEndian(rest[(int)(header - sizeof(long))..]) + size - sizeof(long));
            }

            long body = id is BackupStreamId.Data or BackupStreamId.SparseBlock ? 0 : size;
            if (header + body > rest.Length)
            {
                throw new InvalidDataException($"{pathForMessages}: the stored Windows metadata ({UnixLayerRoot.StreamsAttribute}) is corrupt at offset {position}.");
            }

            position += (int)(header + body);
        }

        return sparseEnd;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Positions on the next stream of the blob; skips security streams when they are not wanted.</summary>
    private bool NextHeader()
    {
        while (_blobPosition < _blob.Length)
        {
            ReadOnlySpan<byte> rest = _blob.AsSpan(_blobPosition);
            if (rest.Length < BackupStreamHeader.FixedSize)
            {
                throw Corrupt();
            }

            var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(rest);
            long size = BinaryPrimitives.ReadInt64LittleEndian(rest[8..]);
            uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(rest[16..]);
            bool sparse = id == BackupStreamId.SparseBlock;
            long headerSize = BackupStreamHeader.FixedSize + (long)nameSize + (sparse ? sizeof(long) : 0);
            long bodySize = sparse ? size - sizeof(long) : size;
            bool elided = id is BackupStreamId.Data or BackupStreamId.SparseBlock;
            if (size < 0 || bodySize < 0 || headerSize > rest.Length || (!elided && headerSize + bodySize > rest.Length) || (elided && _file is null))
            {
                throw Corrupt();
            }

            if (id == BackupStreamId.SecurityData && !_includeSecurity)
            {
                _blobPosition += (int)(headerSize + bodySize);
                continue;
            }

            _headerEnd = _blobPosition + (int)headerSize;
            _bodyRemaining = bodySize;
            _bodyElided = elided;
            _filePosition = sparse ? BinaryPrimitives.ReadInt64LittleEndian(rest[(int)(headerSize - sizeof(long))..]) : 0;
            return true;
        }

        return false;
    }

    private InvalidDataException Corrupt() =>
        new($"{_pathForMessages}: the stored Windows metadata ({UnixLayerRoot.StreamsAttribute}) is corrupt at offset {_blobPosition}.");
}
