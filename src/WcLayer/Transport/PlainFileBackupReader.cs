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
            _blob = WithFileLength(blob, file?.Length, pathForMessages);
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
    /// <param name="blob">The stored metadata.</param>
    /// <param name="fileLength">The file's length, which a data stream stored with <see cref="StoredStream.FileLengthSize"/> has.</param>
    /// <param name="pathForMessages">The file, for messages.</param>
    public static long LogicalSize(byte[] blob, long fileLength, string pathForMessages)
    {
        long sparseEnd = 0;
        for (int offset = 0; offset < blob.Length;)
        {
            StoredStream stream = StoredStream.Read(blob, offset, fileLength, pathForMessages);
            if (stream.Id == BackupStreamId.Data && (stream.Size > 0 || (stream.Attributes & BackupStreamAttributes.Sparse) == 0))
            {
                return stream.Size;
            }

            if (stream.Id == BackupStreamId.SparseBlock)
            {
                sparseEnd = Math.Max(sparseEnd, stream.SparseOffset + stream.Size - sizeof(long));
            }

            offset = stream.End;
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

    /// <summary>The blob as the backup stream has it: a data stream stored with <see cref="StoredStream.FileLengthSize"/> gets the file's length.</summary>
    private static byte[] WithFileLength(byte[] blob, long? fileLength, string pathForMessages)
    {
        byte[] result = blob;
        for (int offset = 0; offset < blob.Length;)
        {
            StoredStream stream = StoredStream.Read(blob, offset, null, pathForMessages);
            if (stream.Id == BackupStreamId.Data && stream.Size == StoredStream.FileLengthSize)
            {
                if (fileLength is not { } length)
                {
                    throw DataInNonFile(pathForMessages);
                }

                result = ReferenceEquals(result, blob) ? (byte[])blob.Clone() : result;
                BinaryPrimitives.WriteInt64LittleEndian(result.AsSpan(offset + 8), length);
            }

            offset = stream.End;
        }

        return result;
    }

    /// <summary>Positions on the next stream of the blob; skips security streams when they are not wanted.</summary>
    private bool NextHeader()
    {
        while (_blobPosition < _blob.Length)
        {
            StoredStream stream = StoredStream.Read(_blob, _blobPosition, null, _pathForMessages);
            if (stream.IsInFile && _file is null)
            {
                throw DataInNonFile(_pathForMessages);
            }

            if (stream.Id == BackupStreamId.SecurityData && !_includeSecurity)
            {
                _blobPosition = stream.End;
                continue;
            }

            _headerEnd = _blobPosition + stream.HeaderLength;
            _bodyRemaining = stream.Id == BackupStreamId.SparseBlock ? stream.Size - sizeof(long) : stream.Size;
            _bodyElided = stream.IsInFile;
            _filePosition = stream.SparseOffset;
            return true;
        }

        return false;
    }

    private static InvalidDataException DataInNonFile(string pathForMessages) =>
        new($"{pathForMessages}: the stored Windows metadata ({UnixLayerRoot.StreamsAttribute}) has a data stream, but the entry is not a file.");
}
