using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer;

/// <summary>Shortcuts for <see cref="ILayerWriter"/>: adding a file is one call, not a backup stream written by hand.</summary>
public static class LayerWriterExtensions
{
    private const int CopyBufferSize = 1 << 16;

    /// <summary>
    /// Adds a file with its content, times, attributes and, optionally, a security descriptor given as SDDL: the
    /// backup stream (<c>BackupWrite</c>'s format) is written for you.
    /// </summary>
    /// <param name="writer">The layer writer.</param>
    /// <param name="name">The file's name in the layer, Windows style (<c>Files\Windows\hello.txt</c>).</param>
    /// <param name="content">The content, read from its current position to its end (a seekable stream: its length must be known up front).</param>
    /// <param name="info">Times and attributes, e.g. <c>FileBasicInfo.FromTime(DateTimeOffset.UtcNow, FileAttributes.Archive)</c>.</param>
    /// <param name="sddl">The security descriptor as SDDL (<c>O:BAG:SYD:(A;;FA;;;BA)</c>), or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentException"><paramref name="content"/> is not seekable, or <paramref name="info"/> is a directory's.</exception>
    /// <exception cref="FormatException"><paramref name="sddl"/> is not valid SDDL.</exception>
    public static async Task AddFileAsync(this ILayerWriter writer, string name, Stream content, FileBasicInfo info, string? sddl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException($"{name}: the content's length must be known before it is written; pass a seekable stream (a FileStream, a MemoryStream).", nameof(content));
        }

        if (info.IsDirectory)
        {
            throw new ArgumentException($"{name}: FILE_ATTRIBUTE_DIRECTORY is set; add a directory with ILayerWriter.Add.", nameof(info));
        }

        // Parsed before anything is added, so bad SDDL leaves the layer as it was.
        byte[]? securityDescriptor = sddl is null ? null : SecurityDescriptor.Parse(sddl).ToBinary();
        long size = content.Length - content.Position;

        writer.Add(name, info);
        using var backup = new BackupStreamWriter(new LayerWriterStream(writer));
        if (securityDescriptor is not null)
        {
            backup.WriteStream(BackupStreamId.SecurityData, securityDescriptor);
        }

        backup.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, size));
        byte[] buffer = new byte[(int)Math.Min(CopyBufferSize, Math.Max(size, 1))];
        long remaining = size;
        while (remaining > 0)
        {
            int read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException($"{name}: the content ended after {size - remaining} of {size} bytes.");
            }

            await backup.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            remaining -= read;
        }
    }
}
