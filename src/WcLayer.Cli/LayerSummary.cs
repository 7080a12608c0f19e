using WcLayer.Portable;

namespace WcLayer.Cli;

/// <summary>What <c>wclayer info</c> shows of a layer: its kind, chain and state from the store, and its content counted as an export would see it.</summary>
/// <param name="Path">The layer folder.</param>
/// <param name="Kind"><c>base</c>, <c>layer</c> (read-only with parents) or <c>scratch</c>.</param>
/// <param name="Chain">The parents, immediate parent first, base layer last.</param>
/// <param name="Activated">For a scratch layer on the portable store: whether it is activated; else <see langword="null"/>.</param>
/// <param name="Prepared">For a scratch layer on the portable store: whether it is prepared (mounted); else <see langword="null"/>.</param>
/// <param name="Files">Files and links (for a scratch layer: the changed ones).</param>
/// <param name="Directories">Directories.</param>
/// <param name="Deletions">Whiteouts: parent files the layer deletes.</param>
/// <param name="Size">Bytes of the files' main data streams.</param>
internal sealed record LayerSummary(
    string Path,
    string Kind,
    IReadOnlyList<string> Chain,
    bool? Activated,
    bool? Prepared,
    long Files,
    long Directories,
    long Deletions,
    long Size)
{
    // What HCS keeps in a scratch layer folder; the portable store records the kind in its marker instead.
    private const string ScratchVolume = "sandbox.vhdx";

    /// <summary>Reads the summary of the layer at <paramref name="path"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The absolute layer path.</param>
    /// <returns>The summary.</returns>
    public static LayerSummary Read(ILayerStore store, string path)
    {
        IReadOnlyList<string> chain = LayerChain.Read(path);
        LayerMetadata? metadata = LayerMetadata.TryRead(path);
        bool scratch = metadata is not null ? metadata.Kind == LayerKind.Scratch : File.Exists(System.IO.Path.Combine(path, ScratchVolume));
        string kind = scratch ? "scratch" : chain.Count == 0 ? "base" : "layer";

        long files = 0, directories = 0, deletions = 0, size = 0;
        using (ILayerReader reader = store.NewLayerReader(path, []))
        {
            while (reader.Next() is { } entry)
            {
                if (entry.FileInfo is not { } info)
                {
                    deletions++;
                }
                else if (info.IsDirectory)
                {
                    directories++;
                }
                else
                {
                    files++;
                    size += entry.Size;
                }
            }
        }

        return new LayerSummary(
            path,
            kind,
            chain,
            scratch ? metadata?.Activated : null,
            scratch ? metadata?.Prepared : null,
            files,
            directories,
            deletions,
            size);
    }
}
