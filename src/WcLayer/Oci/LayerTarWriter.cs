using System.Buffers;
using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>
/// Writes a Windows layer tar entry by entry, each with its Windows metadata (times, attributes, security descriptor,
/// extended attributes), in exactly the layout <see cref="OciLayer.WriteTarFromLayerAsync"/> gives: the writing
/// counterpart of <see cref="LayerTarReader"/>. Names use <c>/</c> separators (<c>Files/Windows/win.ini</c>). Data is
/// streamed, never held in memory.
/// </summary>
/// <remarks>
/// The caller orders the entries as a layer tar wants them: a directory before what it holds, a file's alternate data
/// streams right after the file, a hard link after its target. Dispose (or <see cref="CloseAsync"/>) to write the end
/// of the archive.
/// </remarks>
public sealed class LayerTarWriter : IAsyncDisposable
{
    private const int CopyBufferSize = 1 << 16;

    private readonly Stream _tar;
    private readonly bool _leaveOpen;
    private readonly TarArchiveWriter _writer;
    private TarHeader? _lastFile;
    private bool _closed;

    // An entry whose data failed half-way: the archive cannot be completed, and disposing must not pretend to.
    private bool _broken;

    /// <summary>Creates a writer.</summary>
    /// <param name="tar">Receives the tar; it need not be seekable.</param>
    /// <param name="leaveOpen">Leave <paramref name="tar"/> open when the writer is disposed.</param>
    public LayerTarWriter(Stream tar, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(tar);
        _tar = tar;
        _leaveOpen = leaveOpen;
        _writer = new TarArchiveWriter(tar);
    }

    /// <summary>Writes a directory.</summary>
    /// <param name="name">The entry name, e.g. <c>Files/Windows</c>.</param>
    /// <param name="info">Times and attributes; <see cref="FileAttributes.Directory"/> is added if missing.</param>
    /// <param name="securityDescriptor">A self-relative security descriptor (<see cref="SecurityDescriptor.ToBinary"/>), or <see langword="null"/>.</param>
    /// <param name="extendedAttributes">Extended attributes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    public async ValueTask WriteDirectoryAsync(string name, FileBasicInfo info, byte[]? securityDescriptor = null, IReadOnlyList<ExtendedAttribute>? extendedAttributes = null, CancellationToken cancellationToken = default)
    {
        FileBasicInfo directory = info with { FileAttributes = info.FileAttributes | FileAttributes.Directory };
        TarHeader header = Header(name, 0, directory, securityDescriptor, extendedAttributes);
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        _lastFile = null;
    }

    /// <summary>Writes a file and its main data stream.</summary>
    /// <param name="name">The entry name, e.g. <c>Files/Windows/win.ini</c>.</param>
    /// <param name="info">Times and attributes (not <see cref="FileAttributes.Directory"/>).</param>
    /// <param name="data">The content; exactly <paramref name="size"/> bytes are read from it.</param>
    /// <param name="size">The content's length in bytes.</param>
    /// <param name="securityDescriptor">A self-relative security descriptor, or <see langword="null"/>.</param>
    /// <param name="extendedAttributes">Extended attributes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    /// <exception cref="ArgumentException"><paramref name="info"/> is a directory's.</exception>
    /// <exception cref="InvalidDataException"><paramref name="data"/> ends before <paramref name="size"/> bytes (the message names the entry).</exception>
    public async ValueTask WriteFileAsync(string name, FileBasicInfo info, Stream data, long size, byte[]? securityDescriptor = null, IReadOnlyList<ExtendedAttribute>? extendedAttributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (info.IsDirectory)
        {
            throw new ArgumentException($"{name}: a file's attributes cannot have FILE_ATTRIBUTE_DIRECTORY; write a directory with WriteDirectoryAsync.", nameof(info));
        }

        TarHeader header = Header(name, size, info, securityDescriptor, extendedAttributes);
        header.Mode |= TarHeader.ModeRegular;
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await CopyAsync(data, size, header.Name, cancellationToken).ConfigureAwait(false);
        _lastFile = header;
    }

    /// <summary>Writes an alternate data stream of the file written last (a <c>file:stream</c> entry).</summary>
    /// <param name="streamName">The stream name, without the file name and <c>:$DATA</c> (<c>Zone.Identifier</c>).</param>
    /// <param name="data">The stream's content; exactly <paramref name="size"/> bytes are read from it.</param>
    /// <param name="size">Its length in bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    /// <exception cref="InvalidOperationException">The last entry written is not a file.</exception>
    public async ValueTask WriteAlternateDataStreamAsync(string streamName, Stream data, long size, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        TarHeader file = _lastFile ?? throw new InvalidOperationException("An alternate data stream follows the file it belongs to; the last entry written is not a file.");
        var header = new TarHeader
        {
            Name = file.Name + ":" + streamName,
            Mode = file.Mode,
            TypeFlag = TarHeader.TypeRegular,
            Size = size,
            ModificationTime = file.ModificationTime,
            AccessTime = file.AccessTime,
            ChangeTime = file.ChangeTime,
        };
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await CopyAsync(data, size, header.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a symbolic link or a junction (mount point).</summary>
    /// <param name="name">The entry name.</param>
    /// <param name="info">Times and attributes (<see cref="FileAttributes.ReparsePoint"/> is added if missing).</param>
    /// <param name="reparsePoint">The link (<see cref="ReparsePoint.Create"/>).</param>
    /// <param name="securityDescriptor">A self-relative security descriptor, or <see langword="null"/>.</param>
    /// <param name="extendedAttributes">Extended attributes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    public async ValueTask WriteLinkAsync(string name, FileBasicInfo info, ReparsePoint reparsePoint, byte[]? securityDescriptor = null, IReadOnlyList<ExtendedAttribute>? extendedAttributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reparsePoint);
        FileBasicInfo link = info with { FileAttributes = info.FileAttributes | FileAttributes.ReparsePoint };
        TarHeader header = Header(name, 0, link, securityDescriptor, extendedAttributes);
        LayerToTarConverter.SetLink(header, reparsePoint, header.Name);
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        _lastFile = null;
    }

    /// <summary>Writes a second name for a file written before (a hard link entry).</summary>
    /// <param name="name">The new name.</param>
    /// <param name="info">The file's times and attributes.</param>
    /// <param name="target">The name the file was written under.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    public async ValueTask WriteHardLinkAsync(string name, FileBasicInfo info, string target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        TarHeader header = LayerToTarConverter.BasicInfoHeader(Name(name), 0, info);
        header.Mode = LayerToTarConverter.HardLinkMode;
        header.TypeFlag = TarHeader.TypeHardLink;
        header.LinkName = Name(target);
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        _lastFile = null;
    }

    /// <summary>Writes a whiteout: the layer deletes <paramref name="name"/> of its parents.</summary>
    /// <param name="name">The deleted name, e.g. <c>Files/Windows/Temp/setup.log</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    public async ValueTask WriteWhiteoutAsync(string name, CancellationToken cancellationToken = default)
    {
        string deleted = Name(name);
        string whiteout = TarPath.Join(TarPath.Dir(deleted), OciLayer.WhiteoutPrefix + TarPath.Base(deleted));
        await WriteAsync(new TarHeader { Name = whiteout }, cancellationToken).ConfigureAwait(false);
        _lastFile = null;
    }

    /// <summary>Writes the end of the archive; the writer cannot be used after.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the archive is complete.</returns>
    /// <exception cref="InvalidOperationException">An entry's data failed half-way: the archive is incomplete.</exception>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_broken)
        {
            throw new InvalidOperationException("An entry's data failed half-way; the archive cannot be completed.");
        }

        if (!_closed)
        {
            _closed = true;
            await _writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            await _tar.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the end of the archive (if not done yet) and disposes the stream unless told to leave it open.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_broken)
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _tar.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Name(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return TarPath.Clean(TarPath.ToSlash(name));
    }

    private static TarHeader Header(string name, long size, FileBasicInfo info, byte[]? securityDescriptor, IReadOnlyList<ExtendedAttribute>? extendedAttributes)
    {
        TarHeader header = LayerToTarConverter.BasicInfoHeader(Name(name), size, info);
        if (securityDescriptor is not null)
        {
            header.PaxRecords[PaxKeys.RawSecurityDescriptor] = Convert.ToBase64String(securityDescriptor);
        }

        foreach (ExtendedAttribute ea in extendedAttributes ?? [])
        {
            header.PaxRecords[PaxKeys.ExtendedAttributePrefix + ea.Name] = Convert.ToBase64String(ea.Value.Span);
        }

        return header;
    }

    private ValueTask WriteAsync(TarHeader header, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        return _writer.WriteHeaderAsync(header, cancellationToken);
    }

    private async Task CopyAsync(Stream data, long size, string name, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        _broken = true;
        try
        {
            long remaining = size;
            while (remaining > 0)
            {
                int read = await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidDataException($"{name}: the data ended after {size - remaining} of {size} bytes.");
                }

                await _writer.WriteDataAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
            }

            _broken = false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
