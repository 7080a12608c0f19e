using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>Opens one attribute-prefixed entry of a transport folder (a <c>Files\</c> entry or a directory companion).</summary>
internal static class TransportEntry
{
    // Small: the headers are read through it, the data in large reads that bypass it.
    private const int BufferSize = 4096;

    /// <summary>
    /// Opens <paramref name="name"/> (for a directory, its <c>.$wcidirs$</c> companion): the attributes from the
    /// 4-byte prefix, the times stored with the file, the size of the data stream, and the backup stream positioned
    /// after the prefix (seek offsets are those of the file).
    /// </summary>
    public static (FileBasicInfo Info, long Size, Stream Stream, SafeFileHandle Handle) OpenPrefixed(LayerRoot root, string name, bool isDirectory, string pathForMessages)
    {
        FileStream file = root.OpenFile(isDirectory ? name + TransportPath.DirectoryCompanionSuffix : name);
        try
        {
            var stream = new BufferedStream(file, BufferSize);
            Span<byte> prefix = stackalloc byte[sizeof(uint)];
            if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length)
            {
                throw new InvalidDataException($"{pathForMessages}: the transport file is shorter than its 4-byte attribute prefix.");
            }

            var attributes = (FileAttributes)BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            FileBasicInfo info = root.GetBasicInfoOrDefault(file.SafeFileHandle) with { FileAttributes = attributes };
            long size = 0;
            if (!isDirectory)
            {
                size = DataSize(stream, pathForMessages) ?? 0;
                stream.Seek(sizeof(uint), SeekOrigin.Begin);
            }

            return (info, size, stream, file.SafeFileHandle);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The size of the first data stream; for a sparse file, the end of its last block (its logical size).</summary>
    public static long? DataSize(Stream stream, string pathForMessages)
    {
        try
        {
            using var reader = new BackupStreamReader(stream, leaveOpen: true);
            bool sawData = false;
            long sparseEnd = 0;
            while (reader.ReadNextHeader() is { } h)
            {
                if (h.Id == BackupStreamId.Data && !sawData)
                {
                    sawData = true;
                    if (h.Size > 0 || (h.Attributes & BackupStreamAttributes.Sparse) == 0)
                    {
                        return h.Size;
                    }
                }
                else if (h.Id == BackupStreamId.SparseBlock)
                {
                    sparseEnd = Math.Max(sparseEnd, h.Offset + h.Size);
                }
            }

            return sawData ? sparseEnd : null;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"findBackupStreamSize {pathForMessages}: {e.Message}", e);
        }
    }
}
