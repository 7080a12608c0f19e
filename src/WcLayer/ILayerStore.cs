namespace WcLayer;

/// <summary>
/// The HCS legacy layer API (hcsshim's <c>wclayer</c> package): one implementation per backend, with the same
/// semantics and the same exceptions, so callers handle both with one <c>catch</c>.
/// </summary>
/// <remarks>
/// <para>Layers are folders named by path. Parent layer lists are ordered <b>immediate parent first, base layer
/// last</b> (hcsshim's <c>pkg/ociwclayer</c> doc comment says otherwise and is wrong).</para>
/// <para>Failures throw <see cref="HcsException"/> carrying the operation, the layer path, the HRESULT and the
/// system message, as hcsshim's <c>HcsError</c>.</para>
/// </remarks>
public interface ILayerStore
{
    /// <summary>Activates (mounts) a layer; a scratch layer becomes a volume. Pair with <see cref="DeactivateLayer"/>.</summary>
    /// <param name="path">The layer folder.</param>
    void ActivateLayer(string path);

    /// <summary>Creates a new, empty, read-only layer on top of <paramref name="parent"/>.</summary>
    /// <param name="path">The new layer folder.</param>
    /// <param name="parent">The parent layer.</param>
    void CreateLayer(string path, string parent);

    /// <summary>Creates a writable scratch layer on top of the given parents.</summary>
    /// <param name="path">The scratch layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    void CreateScratchLayer(string path, IReadOnlyList<string> parentLayerPaths);

    /// <summary>Deactivates (unmounts) a layer activated by <see cref="ActivateLayer"/>.</summary>
    /// <param name="path">The layer folder.</param>
    void DeactivateLayer(string path);

    /// <summary>Removes a layer's files, including its folder.</summary>
    /// <param name="path">The layer folder.</param>
    void DestroyLayer(string path);

    /// <summary>Grows a scratch layer to at least <paramref name="size"/> bytes.</summary>
    /// <param name="path">The scratch layer folder.</param>
    /// <param name="size">The size in bytes.</param>
    void ExpandScratchSize(string path, ulong size);

    /// <summary>Exports a layer into a folder in the HCS transport format.</summary>
    /// <param name="path">The layer folder.</param>
    /// <param name="exportFolderPath">An existing empty folder that receives the export.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    void ExportLayer(string path, string exportFolderPath, IReadOnlyList<string> parentLayerPaths);

    /// <summary>The path at which an activated layer's files are visible (a volume path for scratch layers).</summary>
    /// <param name="path">The layer folder.</param>
    /// <returns>The mount path, or the empty string when HCS reports none.</returns>
    string GetLayerMountPath(string path);

    /// <summary>The store's description of its shared base images (opaque text, historically JSON).</summary>
    /// <returns>The description.</returns>
    string GetSharedBaseImages();

    /// <summary>Grants a utility VM access to a file (a VHD).</summary>
    /// <param name="vmId">The VM id.</param>
    /// <param name="filePath">The file.</param>
    void GrantVmAccess(string vmId, string filePath);

    /// <summary>Imports a layer from a folder in the HCS transport format.</summary>
    /// <param name="path">The destination layer folder.</param>
    /// <param name="importFolderPath">The transport-format folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last; all must exist.</param>
    void ImportLayer(string path, string importFolderPath, IReadOnlyList<string> parentLayerPaths);

    /// <summary>Whether a layer exists at <paramref name="path"/>.</summary>
    /// <param name="path">The layer folder.</param>
    /// <returns><see langword="true"/> if the layer exists.</returns>
    bool LayerExists(string path);

    /// <summary>The layer's id: <see cref="NameToGuid"/> of the folder's base name, exactly as hcsshim's <c>LayerID</c>.</summary>
    /// <param name="path">The layer folder.</param>
    /// <returns>The GUID.</returns>
    Guid LayerId(string path);

    /// <summary>Converts a name to a GUID with HCS's private algorithm.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The GUID.</returns>
    Guid NameToGuid(string name);

    /// <summary>Prepares an activated scratch layer for use (enables the filter over its parents).</summary>
    /// <param name="path">The scratch layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    void PrepareLayer(string path, IReadOnlyList<string> parentLayerPaths);

    /// <summary>Processes a base layer whose files were written to <c>Files</c>.</summary>
    /// <param name="path">The layer folder.</param>
    void ProcessBaseLayer(string path);

    /// <summary>Processes a utility VM image (<paramref name="path"/> is <c>&lt;layer&gt;\UtilityVM</c>).</summary>
    /// <param name="path">The UtilityVM folder.</param>
    void ProcessUtilityVMImage(string path);

    /// <summary>Undoes <see cref="PrepareLayer"/>.</summary>
    /// <param name="path">The scratch layer folder.</param>
    void UnprepareLayer(string path);

    /// <summary>Reads a layer entry by entry (for a scratch layer: its difference against the parents).</summary>
    /// <param name="path">The layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    /// <returns>The reader; dispose it.</returns>
    ILayerReader NewLayerReader(string path, IReadOnlyList<string> parentLayerPaths);

    /// <summary>Builds a new layer entry by entry; <see cref="ILayerWriter.Commit"/> makes it appear.</summary>
    /// <param name="path">The new layer folder.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last; empty for a base layer.</param>
    /// <returns>The writer; dispose it (without a commit, nothing is left behind).</returns>
    ILayerWriter NewLayerWriter(string path, IReadOnlyList<string> parentLayerPaths);
}
