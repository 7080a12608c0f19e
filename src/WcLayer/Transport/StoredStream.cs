using System.Buffers.Binary;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// One stream of a plain file's stored metadata: its backup stream with the bytes of data and sparse blocks left
/// out (see <see cref="PlainFileBackupWriter"/>). The one place that parses that blob.
/// </summary>
/// <param name="Id">The stream's kind.</param>
/// <param name="Attributes">The stream's attributes.</param>
/// <param name="Size">The size the header states (for a sparse block, its offset field included), with <see cref="FileLengthSize"/> resolved.</param>
/// <param name="Offset">Where the header starts in the blob.</param>
/// <param name="HeaderLength">The header's length in the blob: the fixed part, the name and a sparse block's offset.</param>
/// <param name="StoredBodyLength">How many body bytes the blob holds after the header: none for data and sparse blocks.</param>
/// <param name="SparseOffset">For a sparse block, where its bytes go in the file.</param>
internal readonly record struct StoredStream(BackupStreamId Id, BackupStreamAttributes Attributes, long Size, int Offset, int HeaderLength, int StoredBodyLength, long SparseOffset)
{
    /// <summary>
    /// The size stored for a data stream as long as the file itself (when that is not empty): metadata that differs
    /// only in the file's size is then byte-equal, and a file system that shares equal attribute blocks (ext4) shares
    /// it, which saves a block per file.
    /// </summary>
    public const long FileLengthSize = -1;

    /// <summary>Whether the stream's bytes are in the file rather than in the blob.</summary>
    public bool IsInFile => Id is BackupStreamId.Data or BackupStreamId.SparseBlock;

    /// <summary>Where the next stream starts in the blob.</summary>
    public int End => Offset + HeaderLength + StoredBodyLength;

    /// <summary>Whether the stream holds file bytes: a data stream or sparse block of non-zero size.</summary>
    public bool HasFileBytes => IsInFile && Size != 0;

    /// <summary>Reads the stream at <paramref name="offset"/>.</summary>
    /// <param name="blob">The stored metadata.</param>
    /// <param name="offset">Where the stream's header starts.</param>
    /// <param name="fileLength">The file's length, for a data stream stored with <see cref="FileLengthSize"/>; <see langword="null"/> leaves that size as stored.</param>
    /// <param name="pathForMessages">The file, for messages.</param>
    /// <exception cref="InvalidDataException">The blob is corrupt at <paramref name="offset"/>.</exception>
    public static StoredStream Read(ReadOnlySpan<byte> blob, int offset, long? fileLength, string pathForMessages)
    {
        ReadOnlySpan<byte> rest = blob[offset..];
        if (rest.Length < BackupStreamHeader.FixedSize)
        {
            throw Corrupt(offset, pathForMessages);
        }

        var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(rest);
        var attributes = (BackupStreamAttributes)BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
        long size = BinaryPrimitives.ReadInt64LittleEndian(rest[8..]);
        uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(rest[16..]);
        bool sparse = id == BackupStreamId.SparseBlock;
        bool inFile = id is BackupStreamId.Data or BackupStreamId.SparseBlock;
        if (id == BackupStreamId.Data && size == FileLengthSize && fileLength is { } length)
        {
            size = length;
        }

        long header = BackupStreamHeader.FixedSize + (long)nameSize + (sparse ? sizeof(long) : 0);
        long body = inFile ? 0 : size;
        bool sizeValid = size >= 0 || (id == BackupStreamId.Data && size == FileLengthSize);
        if (!sizeValid || (sparse && size < sizeof(long)) || header + body > rest.Length)
        {
            throw Corrupt(offset, pathForMessages);
        }

        long sparseOffset = sparse ? BinaryPrimitives.ReadInt64LittleEndian(rest[(int)(header - sizeof(long))..]) : 0;
        if (sparseOffset < 0)
        {
            throw Corrupt(offset, pathForMessages);
        }

        return new StoredStream(id, attributes, size, offset, (int)header, (int)body, sparseOffset);
    }

    /// <summary>The body of the first stream of a kind in a blob, or empty.</summary>
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> blob, BackupStreamId wanted, string pathForMessages)
    {
        for (int offset = 0; offset < blob.Length;)
        {
            StoredStream stream = Read(blob, offset, null, pathForMessages);
            if (stream.Id == wanted)
            {
                return blob.Slice(stream.Offset + stream.HeaderLength, stream.StoredBodyLength);
            }

            offset = stream.End;
        }

        return default;
    }

    private static InvalidDataException Corrupt(int offset, string pathForMessages) =>
        new($"{pathForMessages}: the stored Windows metadata ({UnixLayerRoot.StreamsAttribute}) is corrupt at offset {offset}.");
}
