namespace WcLayer.Transport;

/// <summary>Options of <see cref="TransportLayerWriter"/>.</summary>
public sealed class TransportLayerWriterOptions
{
    /// <summary>
    /// The import folder is the layer itself, as in the portable store: <see cref="TransportLayerWriter.Commit"/>
    /// writes the tombstones to <c>tombstones.txt</c> (spec 6.2) instead of deleting the tombstoned paths, and
    /// performs the post-import steps (hard links, directory times) in the same folder. Otherwise the folder is staged
    /// for HCS's <c>ImportLayer</c>, as hcsshim's legacy writer does.
    /// </summary>
    public bool ImportFolderIsLayer { get; init; }

    /// <summary>
    /// Accept tombstones in a layer without parents. hcsshim's base-layer writer refuses them; an export folder
    /// (what HCS's <c>ExportLayer</c> writes for a layer with parents) is written without parent folders and needs them.
    /// </summary>
    public bool AllowTombstonesWithoutParents { get; init; }

    /// <summary>
    /// Keep <c>Files\</c> as a plain tree (the portable store's format 2, <see cref="PlainFilesTree"/>) instead of
    /// attribute-prefixed files: what overlayfs can stack. Only with <see cref="ImportFolderIsLayer"/>, on Unix.
    /// </summary>
    internal bool FilesArePlain { get; init; }
}
