using System.Buffers;
using System.Globalization;
using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>
/// <see cref="ILayerReader"/> → tar (hcsshim's <c>writeTarFromLayer</c> with go-winio's
/// <c>WriteTarFileFromBackupStream</c>), hard-link aware as hcsshim HEAD.
/// </summary>
internal static class LayerToTarConverter
{
    internal const long HardLinkMode = 0x1A4; // 0644, as hcsshim HEAD writes hard links

    public static async Task ConvertAsync(ILayerReader reader, Stream tar, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        var writer = new TarArchiveWriter(tar);
        var firstNames = new Dictionary<UInt128, string>();
        using var entryStream = new LayerEntryStream(reader);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long entries = 0;
            long bytes = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LayerEntry? entry = reader.Next();
                if (entry is null)
                {
                    break;
                }

                string name = TarPath.ToSlash(entry.Name);
                if (!IsValidUnicode(name))
                {
                    throw new InvalidDataException($"{name}: the name has an unpaired UTF-16 surrogate, which a tar name (UTF-8) cannot hold.");
                }

                try
                {
                    if (entry.FileInfo is not { } info)
                    {
                        // All other fields zero, so Go's writer picks USTAR: hcsshim's whiteouts byte for byte.
                        string whiteout = TarPath.Join(TarPath.Dir(name), OciLayer.WhiteoutPrefix + TarPath.Base(name));
                        await writer.WriteHeaderAsync(new TarHeader { Name = whiteout }, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        LayerLinkInfo link = reader.GetLinkInfo();
                        if (link.NumberOfLinks > 1 && !info.IsDirectory && firstNames.TryGetValue(link.FileId, out string? first))
                        {
                            TarHeader header = BasicInfoHeader(name, 0, info);
                            header.Mode = HardLinkMode;
                            header.TypeFlag = TarHeader.TypeHardLink;
                            header.LinkName = first;
                            await writer.WriteHeaderAsync(header, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            if (link.NumberOfLinks > 1 && !info.IsDirectory)
                            {
                                firstNames[link.FileId] = name;
                            }

                            await WriteEntryAsync(writer, entryStream, name, entry.Size, info, buffer, cancellationToken).ConfigureAwait(false);
                            bytes += info.IsDirectory ? 0 : entry.Size;
                        }
                    }
                }
                catch (Exception e) when (EntryError.Wrap(e, $"while exporting '{name}'") is { } named)
                {
                    throw named;
                }

                entries++;
                progress?.Report(new LayerProgress(entries, bytes, name));
            }

            await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsValidUnicode(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>go-winio's <c>BasicInfoHeader</c>, except that unset (0) access and change times are not written.</summary>
    internal static TarHeader BasicInfoHeader(string name, long size, FileBasicInfo info)
    {
        var header = new TarHeader
        {
            Name = name,
            Size = size,
            TypeFlag = TarHeader.TypeRegular,
            ModificationTime = FileTime.ToUnixNanoseconds(info.LastWriteTime),
            // Go formats a FILETIME of 0 by overflowing int64 nanoseconds; an absent record reads back as 0 instead.
            AccessTime = info.LastAccessTime == 0 ? null : FileTime.ToUnixNanoseconds(info.LastAccessTime),
            ChangeTime = info.ChangeTime == 0 ? null : FileTime.ToUnixNanoseconds(info.ChangeTime),
        };
        header.PaxRecords[PaxKeys.FileAttributes] = ((uint)info.FileAttributes).ToString(CultureInfo.InvariantCulture);
        header.PaxRecords[PaxKeys.CreationTime] = PaxTime.FormatFileTime(info.CreationTime);
        if (info.IsDirectory)
        {
            header.Mode |= TarHeader.ModeDirectory;
            header.Size = 0;
            header.TypeFlag = TarHeader.TypeDirectory;
        }

        return header;
    }

    private static async Task WriteEntryAsync(
        TarArchiveWriter writer,
        LayerEntryStream entryStream,
        string name,
        long size,
        FileBasicInfo info,
        byte[] buffer,
        CancellationToken cancellationToken)
    {
        TarHeader header = BasicInfoHeader(name, size, info);
        bool twoPass = entryStream.CanSeek;
        using var streams = new BackupStreamReader(entryStream, leaveOpen: true);
        BackupStreamHeader? data = null;

        // Pass 1: everything that goes into the tar header. Seekable entries are read to the end, so extended
        // attributes after the data stream are kept; otherwise stop at the data, as go-winio does.
        while (streams.ReadNextHeader() is { } h)
        {
            switch (h.Id)
            {
                case BackupStreamId.Data:
                    header.Mode |= TarHeader.ModeRegular;
                    data ??= h;
                    break;
                case BackupStreamId.SecurityData:
                    header.PaxRecords[PaxKeys.RawSecurityDescriptor] = Convert.ToBase64String(streams.ReadToEnd());
                    break;
                case BackupStreamId.ReparseData:
                    AddReparsePoint(header, streams.ReadToEnd(), name);
                    break;
                case BackupStreamId.ExtendedAttributes:
                    foreach (ExtendedAttribute ea in DecodeExtendedAttributes(streams.ReadToEnd(), name))
                    {
                        header.PaxRecords[PaxKeys.ExtendedAttributePrefix + ea.Name] = Convert.ToBase64String(ea.Value.Span);
                    }

                    break;
                case BackupStreamId.AlternateData or BackupStreamId.Link or BackupStreamId.PropertyData
                    or BackupStreamId.ObjectId or BackupStreamId.TxfsData:
                    break;
                case BackupStreamId.SparseBlock when twoPass:
                    // go-winio fails here with "unknown stream ID 9" (B6); the blocks are read in pass 2.
                    break;
                default:
                    throw new InvalidDataException($"{name}: unknown stream ID {(uint)h.Id}.");
            }

            if (data is not null && !twoPass)
            {
                break;
            }
        }

        if (data is null && header.TypeFlag == TarHeader.TypeRegular && size > 0)
        {
            throw new InvalidDataException($"{name}: the entry has size {size} but its backup stream has no data stream.");
        }

        if (header.TypeFlag != TarHeader.TypeRegular)
        {
            header.Size = 0;
        }

        await writer.WriteHeaderAsync(header, cancellationToken).ConfigureAwait(false);

        BackupStreamReader source = streams;
        BackupStreamReader? secondPass = null;
        try
        {
            if (twoPass)
            {
                entryStream.Seek(0, SeekOrigin.Begin);
                secondPass = new BackupStreamReader(entryStream, leaveOpen: true);
                source = secondPass;
                while (data is not null && source.ReadNextHeader() is { } h && h.Id != BackupStreamId.Data)
                {
                }
            }

            if (data is { } d && header.TypeFlag == TarHeader.TypeRegular)
            {
                await CopyDataAsync(writer, source, d, name, size, buffer, cancellationToken).ConfigureAwait(false);
            }

            // Without a data stream (directories), a second pass starts over: go-winio drops a directory's
            // alternate data streams here; we keep them. A single pass has read past them already.
            bool rescanned = twoPass && data is null;
            await WriteTrailingStreamsAsync(writer, source, header, name, rescanned, buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            secondPass?.Dispose();
        }
    }

    private static async Task CopyDataAsync(
        TarArchiveWriter writer,
        BackupStreamReader source,
        BackupStreamHeader data,
        string name,
        long size,
        byte[] buffer,
        CancellationToken cancellationToken)
    {
        if (data.Size > 0 || (data.Attributes & BackupStreamAttributes.Sparse) == 0)
        {
            if (size != data.Size)
            {
                throw new InvalidDataException($"{name}: mismatch between file size {size} and header size {data.Size}.");
            }

            await CopyStreamAsync(writer, source, buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (size > 0)
        {
            await CopySparseAsync(writer, source, name, size, buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Expands sparse blocks into dense tar data: holes become zeros, up to the terminator block.</summary>
    private static async Task CopySparseAsync(TarArchiveWriter writer, BackupStreamReader source, string name, long size, byte[] buffer, CancellationToken cancellationToken)
    {
        long current = 0;
        while (true)
        {
            BackupStreamHeader block = source.ReadNextHeader()
                ?? throw new InvalidDataException($"{name}: copying contents from sparse block stream: the stream ended before the terminating block.");
            if (block.Id != BackupStreamId.SparseBlock)
            {
                throw new InvalidDataException($"{name}: copying contents from sparse block stream: unexpected stream {(uint)block.Id}.");
            }

            if (block.Offset < current)
            {
                throw new InvalidDataException($"{name}: copying contents from sparse block stream: cannot seek back from {current} to {block.Offset}.");
            }

            if (block.Offset > size || block.Size > size - block.Offset)
            {
                throw new InvalidDataException($"{name}: copying contents from sparse block stream: block at {block.Offset} of {block.Size} bytes is past the file size {size}.");
            }

            await writer.WriteZerosAsync(block.Offset - current, cancellationToken).ConfigureAwait(false);
            current = block.Offset;
            if (block.Size == 0)
            {
                break;
            }

            await CopyStreamAsync(writer, source, buffer, cancellationToken).ConfigureAwait(false);
            current += block.Size;
        }

        if (current != size)
        {
            // The terminator sits at the file size; a short map would leave the tar entry incomplete.
            throw new InvalidDataException($"{name}: copying contents from sparse block stream: the blocks end at {current}, not at the file size {size}.");
        }
    }

    private static async Task WriteTrailingStreamsAsync(
        TarArchiveWriter writer,
        BackupStreamReader source,
        TarHeader main,
        string name,
        bool rescanned,
        byte[] buffer,
        CancellationToken cancellationToken)
    {
        while (source.ReadNextHeader() is { } h)
        {
            switch (h.Id)
            {
                case BackupStreamId.SecurityData or BackupStreamId.ReparseData when rescanned:
                    break;
                case BackupStreamId.AlternateData:
                    if ((h.Attributes & BackupStreamAttributes.Sparse) != 0)
                    {
                        throw new InvalidDataException($"{name}: tar of sparse alternate data streams is unsupported.");
                    }

                    string streamName = h.Name.EndsWith(":$DATA", StringComparison.Ordinal) ? h.Name[..^6] : h.Name;
                    var header = new TarHeader
                    {
                        Name = name + streamName,
                        Mode = main.Mode,
                        TypeFlag = TarHeader.TypeRegular,
                        Size = h.Size,
                        ModificationTime = main.ModificationTime,
                        AccessTime = main.AccessTime,
                        ChangeTime = main.ChangeTime,
                    };
                    await writer.WriteHeaderAsync(header, cancellationToken).ConfigureAwait(false);
                    await CopyStreamAsync(writer, source, buffer, cancellationToken).ConfigureAwait(false);
                    break;
                case BackupStreamId.ExtendedAttributes or BackupStreamId.Link or BackupStreamId.PropertyData
                    or BackupStreamId.ObjectId or BackupStreamId.TxfsData:
                    break;
                default:
                    throw new InvalidDataException($"{name}: unknown stream ID {(uint)h.Id} after data.");
            }
        }
    }

    private static async Task CopyStreamAsync(TarArchiveWriter writer, BackupStreamReader source, byte[] buffer, CancellationToken cancellationToken)
    {
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await writer.WriteDataAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddReparsePoint(TarHeader header, byte[] buffer, string name)
    {
        ReparsePoint reparse;
        try
        {
            reparse = ReparsePoint.Decode(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }

        SetLink(header, reparse, name);
    }

    /// <summary>Makes <paramref name="header"/> a symbolic link entry for a symbolic link or mount point (junction), as go-winio writes them.</summary>
    internal static void SetLink(TarHeader header, ReparsePoint reparse, string name)
    {
        if (!reparse.IsSymbolicLink && !reparse.IsMountPoint)
        {
            throw new InvalidDataException($"{name}: unsupported reparse point {reparse.Tag:x}.");
        }

        header.Mode |= TarHeader.ModeSymbolicLink;
        header.TypeFlag = TarHeader.TypeSymbolicLink;
        header.LinkName = reparse.Target ?? string.Empty;
        if (reparse.IsMountPoint)
        {
            header.PaxRecords[PaxKeys.MountPoint] = "1";
        }
    }

    private static IReadOnlyList<ExtendedAttribute> DecodeExtendedAttributes(byte[] buffer, string name)
    {
        try
        {
            return ExtendedAttributeList.Decode(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
    }
}
