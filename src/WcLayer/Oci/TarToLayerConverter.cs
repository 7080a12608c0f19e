using System.Buffers;
using System.Collections.Frozen;
using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>Tar → <see cref="ILayerWriter"/> (hcsshim's <c>writeLayerFromTar</c> with go-winio's <c>WriteBackupStreamFromTarFile</c>).</summary>
internal static class TarToLayerConverter
{
    private const string OpaqueWhiteout = ".wh..wh..opq";

    private static readonly FrozenDictionary<string, string> MutatedFiles = new Dictionary<string, string>
    {
        ["UtilityVM/Files/EFI/Microsoft/Boot/BCD"] = "bcd.bak",
        ["UtilityVM/Files/EFI/Microsoft/Boot/BCD.LOG"] = "bcd.log.bak",
        ["UtilityVM/Files/EFI/Microsoft/Boot/BCD.LOG1"] = "bcd.log1.bak",
        ["UtilityVM/Files/EFI/Microsoft/Boot/BCD.LOG2"] = "bcd.log2.bak",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static async Task<long> ConvertAsync(
        Stream tar,
        ILayerWriter writer,
        TarImportOptions? options,
        IProgress<LayerProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var reader = new LayerTarReader(tar, leaveOpen: true);
        using var layerStream = new LayerWriterStream(writer);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long total = 0;
            long entries = 0;
            var names = new LayerTarNames();
            LayerTarEntry? entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
            while (entry is not null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LayerTarEntry current = entry;
                names.Check(current);
                try
                {
                    switch (current.EntryType)
                    {
                        case LayerTarEntryType.Whiteout:
                            if (TarPath.Base(current.Name) == OpaqueWhiteout)
                            {
                                // Windows layers have no opaque directories: HCS keeps per-name tombstones only, and
                                // hcsshim would silently delete a file literally named ".wh..opq" (B17).
                                throw new InvalidDataException($"Tar entry '{current.Name}': opaque whiteouts are not supported in Windows layers; write a whiteout for each deleted name instead.");
                            }

                            writer.Remove(TarPath.FromSlash(current.WhiteoutTarget!));
                            entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
                            break;

                        case LayerTarEntryType.HardLink:
                            writer.AddLink(TarPath.FromSlash(current.Name), TarPath.FromSlash(current.LinkTarget!));
                            entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
                            break;

                        case LayerTarEntryType.AlternateDataStream:
                            throw new InvalidDataException($"Tar entry '{current.Name}': an alternate data stream must follow its file.");

                        default:
                            writer.Add(TarPath.FromSlash(current.Name), current.FileInfo);
                            entry = await WriteEntryAsync(reader, current, layerStream, options, buffer, cancellationToken).ConfigureAwait(false);
                            if (current.EntryType == LayerTarEntryType.File)
                            {
                                total += current.Size;
                            }

                            break;
                    }
                }
                catch (Exception e) when (EntryError.Wrap(e, $"tar entry '{current.Name}'") is { } named)
                {
                    throw named;
                }

                entries++;
                progress?.Report(new LayerProgress(entries, total, current.Name));
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the backup stream of <paramref name="entry"/> and its alternate data streams; returns the entry after them.</summary>
    private static async Task<LayerTarEntry?> WriteEntryAsync(
        LayerTarReader reader,
        LayerTarEntry entry,
        Stream layerStream,
        TarImportOptions? options,
        byte[] buffer,
        CancellationToken cancellationToken)
    {
        Stream? backup = null;
        if (options?.OpenMutatedFileBackup is { } open && MutatedFiles.TryGetValue(entry.Name, out string? backupName))
        {
            backup = open(backupName);
        }

        try
        {
            Stream sink = backup is null ? layerStream : new TeeStream(layerStream, backup);
            using var streams = new BackupStreamWriter(sink, leaveOpen: true);
            if (entry.SecurityDescriptor is { Length: > 0 } sd)
            {
                streams.WriteStream(BackupStreamId.SecurityData, sd);
            }

            if (entry.ExtendedAttributes.Count > 0)
            {
                streams.WriteStream(BackupStreamId.ExtendedAttributes, ExtendedAttributeList.Encode(entry.ExtendedAttributes));
            }

            if (entry.EntryType is LayerTarEntryType.SymbolicLink or LayerTarEntryType.Junction)
            {
                ReparsePoint reparse = ReparsePoint.Create(TarPath.FromSlash(entry.LinkTarget ?? string.Empty), entry.EntryType == LayerTarEntryType.Junction);
                streams.WriteStream(BackupStreamId.ReparseData, reparse.Buffer.Span);
            }

            if (entry.HasDataStream)
            {
                streams.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, entry.Size));
                await CopyAsync(entry, streams, buffer, cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                LayerTarEntry? next = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
                if (next is not { EntryType: LayerTarEntryType.AlternateDataStream } stream || stream.StreamOwner != entry.Name)
                {
                    sink.Flush();
                    return next;
                }

                // go-winio appends ":$DATA" unconditionally, so a tar that already names it (as hcsshim's CIM path
                // expects) would get ":s:$DATA:$DATA"; accept both spellings.
                string streamName = stream.StreamName!;
                string bare = streamName.EndsWith(":$DATA", StringComparison.Ordinal) ? streamName[..^6] : streamName;
                if (bare.Length == 0 || bare.Contains(':', StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"Tar entry '{stream.Name}': '{streamName}' is not a valid alternate data stream name.");
                }

                streams.WriteHeader(new BackupStreamHeader(BackupStreamId.AlternateData, BackupStreamAttributes.None, stream.Size, ":" + bare + ":$DATA"));
                await CopyAsync(stream, streams, buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (backup is not null)
            {
                await backup.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task CopyAsync(LayerTarEntry entry, BackupStreamWriter streams, byte[] buffer, CancellationToken cancellationToken)
    {
        long remaining = entry.Size;
        Stream? data = entry.DataStream;
        while (remaining > 0)
        {
            int n;
            try
            {
                n = data is null ? 0 : await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"Tar entry '{entry.Name}': the archive ends {remaining} bytes into the entry's data.", e);
            }

            if (n == 0)
            {
                throw new InvalidDataException($"Tar entry '{entry.Name}': the archive ends {remaining} bytes into the entry's data.");
            }

            streams.Write(buffer.AsSpan(0, n));
            remaining -= n;
        }
    }
}
