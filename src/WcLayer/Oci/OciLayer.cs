namespace WcLayer.Oci;

/// <summary>
/// The OCI tar bridge (hcsshim's <c>pkg/ociwclayer</c> over go-winio's <c>backuptar</c>): converts between Windows
/// layer tars and any <see cref="ILayerReader"/>/<see cref="ILayerWriter"/>.
/// </summary>
public static class OciLayer
{
    /// <summary>The whiteout name prefix: <c>dir/.wh.name</c> deletes <c>dir/name</c> from the parent layers.</summary>
    public const string WhiteoutPrefix = ".wh.";

    /// <summary>
    /// Writes the entries of a layer tar into <paramref name="writer"/>: whiteouts become <see cref="ILayerWriter.Remove"/>,
    /// hard links <see cref="ILayerWriter.AddLink"/>, everything else <see cref="ILayerWriter.Add"/> plus its backup
    /// stream (security descriptor, extended attributes sorted by name, reparse point, data, alternate data streams).
    /// The writer is not committed: the caller commits on success and disposes (discards) on failure.
    /// </summary>
    /// <param name="tar">An uncompressed tar stream; it need not be seekable.</param>
    /// <param name="writer">Receives the layer.</param>
    /// <param name="progress">Reports each entry.</param>
    /// <param name="cancellationToken">Checked between entries.</param>
    /// <returns>The total size of the regular files' main data streams, as hcsshim returns.</returns>
    /// <exception cref="InvalidDataException">The tar is malformed or not a valid Windows layer (the message names the entry).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<long> WriteLayerFromTarAsync(Stream tar, ILayerWriter writer, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default) =>
        WriteLayerFromTarAsync(tar, writer, new TarImportOptions(), progress, cancellationToken);

    /// <summary>As <see cref="WriteLayerFromTarAsync(Stream, ILayerWriter, IProgress{LayerProgress}?, CancellationToken)"/>, with options.</summary>
    /// <param name="tar">An uncompressed tar stream; it need not be seekable.</param>
    /// <param name="writer">Receives the layer.</param>
    /// <param name="options">Import options.</param>
    /// <param name="progress">Reports each entry.</param>
    /// <param name="cancellationToken">Checked between entries.</param>
    /// <returns>The total size of the regular files' main data streams.</returns>
    public static Task<long> WriteLayerFromTarAsync(Stream tar, ILayerWriter writer, TarImportOptions options, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        return TarToLayerConverter.ConvertAsync(tar, writer, options, progress, cancellationToken);
    }

    /// <summary>
    /// Imports a layer tar into a new layer of <paramref name="store"/> (hcsshim's <c>ImportLayerFromTar</c>): creates
    /// <paramref name="path"/> if needed, writes every entry through <see cref="ILayerStore.NewLayerWriter"/>, keeps
    /// pristine copies of the UtilityVM BCD files (<c>bcd.bak</c>, …) in the layer, and commits only if the whole tar
    /// was read: on any error or cancellation nothing is imported (hcsshim would import the partial layer: B8).
    /// </summary>
    /// <param name="tar">An uncompressed tar stream.</param>
    /// <param name="path">The new layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    /// <param name="store">The store; <see langword="null"/> for <see cref="LayerStore.Default"/>.</param>
    /// <param name="progress">Reports each entry.</param>
    /// <param name="cancellationToken">Checked between entries.</param>
    /// <returns>The total size of the regular files' main data streams.</returns>
    public static Task<long> ImportLayerFromTarAsync(Stream tar, string path, IReadOnlyList<string> parentLayerPaths, ILayerStore? store = null, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportLayerFromTarAsync(tar, path, parentLayerPaths, store, progress, beforeCommit: null, cancellationToken);

    /// <summary>As the public overload; <paramref name="beforeCommit"/> runs after the last entry and before the commit, and can veto it by throwing (an image checks its layer's digests there).</summary>
    internal static async Task<long> ImportLayerFromTarAsync(Stream tar, string path, IReadOnlyList<string> parentLayerPaths, ILayerStore? store, IProgress<LayerProgress>? progress, Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        store ??= LayerStore.Default;
        bool created = store is not IAtomicLayerStore && !Directory.Exists(path);
        if (created)
        {
            Directory.CreateDirectory(path); // hcsshim's ImportLayerFromTar does so before HCS's NewLayerWriter
        }
        else if (store is IAtomicLayerStore && Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } parent)
        {
            // hcsshim's MkdirAll makes the folders above too; an atomic store makes the layer folder itself on commit.
            Directory.CreateDirectory(parent);
        }

        try
        {
            using ILayerWriter writer = store.NewLayerWriter(path, parentLayerPaths);
            var options = new TarImportOptions
            {
                OpenMutatedFileBackup = writer is IMutatedFileBackupSink sink
                    ? sink.OpenMutatedFileBackup
                    : name => new FileStream(Path.Combine(path, name), FileMode.Create, FileAccess.Write),
            };
            long total = await WriteLayerFromTarAsync(tar, writer, options, progress, cancellationToken).ConfigureAwait(false);
            if (beforeCommit is not null)
            {
                await beforeCommit(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                writer.Commit();
            }
            catch (IOException e) when (e is not LayerPathException && EntryError.Wrap(e, $"layer {path}") is { } named)
            {
                throw named;
            }

            return total;
        }
        catch when (created)
        {
            // Leave nothing behind: the folder made here for the layer goes too, if the failed writer left it empty.
            TryRemoveEmptyDirectory(path);
            throw;
        }
    }

    private static void TryRemoveEmptyDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Exports a layer of <paramref name="store"/> as a tar (hcsshim's <c>ExportLayerToTar</c>): activates the layer,
    /// prepares and unprepares it so it is initialized, reads it with <see cref="ILayerStore.NewLayerReader"/> (for a
    /// scratch layer: its difference against the parents) and deactivates it again.
    /// </summary>
    /// <remarks>
    /// As with hcsshim, the layer must not be mounted by the caller: the export's own prepare, unprepare and
    /// deactivate would unmount it. Unprepare and deactivate a scratch layer before exporting it.
    /// </remarks>
    /// <param name="tar">Receives the tar.</param>
    /// <param name="path">The layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    /// <param name="store">The store; <see langword="null"/> for <see cref="LayerStore.Default"/>.</param>
    /// <param name="progress">Reports each entry.</param>
    /// <param name="cancellationToken">Checked between entries; a cancelled export leaves a truncated tar.</param>
    /// <returns>A task that completes when the tar is written.</returns>
    public static async Task ExportLayerToTarAsync(Stream tar, string path, IReadOnlyList<string> parentLayerPaths, ILayerStore? store = null, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        store ??= LayerStore.Default;
        store.ActivateLayer(path);
        try
        {
            store.PrepareLayer(path, parentLayerPaths);
            store.UnprepareLayer(path);
            using ILayerReader reader = store.NewLayerReader(path, parentLayerPaths);
            await WriteTarFromLayerAsync(reader, tar, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                store.DeactivateLayer(path);
            }
            catch (IOException)
            {
                // As hcsshim: the export's result wins over a failure to deactivate.
            }
        }
    }

    /// <summary>
    /// Writes the entries of <paramref name="reader"/> as a layer tar, deterministically (the same layer always gives
    /// the same bytes, in the layout Go's archive/tar gives hcsshim): tombstones become whiteouts, the second and later
    /// names of a file with several links become hard-link entries, and each entry carries its Windows metadata as
    /// PAX records. Unset (0) access and change times are not written.
    /// </summary>
    /// <param name="reader">The layer to export.</param>
    /// <param name="tar">Receives the tar; it need not be seekable.</param>
    /// <param name="progress">Reports each entry.</param>
    /// <param name="cancellationToken">Checked between entries; a cancelled export leaves a truncated tar.</param>
    /// <returns>A task that completes when the tar is written.</returns>
    /// <exception cref="InvalidDataException">An entry's backup stream is malformed or cannot be represented in a tar (the message names the entry).</exception>
    public static Task WriteTarFromLayerAsync(ILayerReader reader, Stream tar, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(tar);
        return LayerToTarConverter.ConvertAsync(reader, tar, progress, cancellationToken);
    }
}
