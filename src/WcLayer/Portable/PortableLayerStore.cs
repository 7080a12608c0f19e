using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// The whole layer API without HCS: a layer is a folder whose <c>Files/</c>, <c>Hives/</c> and <c>UtilityVM/</c> are
/// plain trees with each entry's Windows metadata in extended attributes (store format 2), its parent chain
/// (<c>layerchain.json</c>, moby's convention) and its state (<c>wclayer.json</c>). A scratch layer stacks on its
/// parents: an overlayfs mount where allowed (O(1) to create and mount), else a reflink or full copy of their merged
/// view (<see cref="ScratchMode"/>); reading a scratch layer gives its difference against them.
/// </summary>
/// <remarks>
/// <para>Layers appear atomically: they are built in a hidden sibling folder and renamed into place on commit, so a
/// failed or killed import leaves no layer behind. Operations on one layer are serialized by a lock file beside it;
/// operations on different layers run in parallel.</para>
/// <para>Errors are the <see cref="HcsException"/>s HCS gives for the same conditions: a missing layer or parent is
/// <c>ERROR_PATH_NOT_FOUND</c>, an existing one <c>ERROR_ALREADY_EXISTS</c>, a scratch layer used before
/// <see cref="ActivateLayer"/> <c>ERROR_NOT_READY</c>, destroying an active one <c>ERROR_BUSY</c>.</para>
/// </remarks>
public sealed class PortableLayerStore : ILayerStore, IAtomicLayerStore
{
    internal const string MountFolder = "mount"; // also in PortableLayerFiles.Reserved

    private readonly PortableLayerStoreOptions _options;

    /// <summary>Creates a store.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    public PortableLayerStore(PortableLayerStoreOptions? options = null) => _options = options ?? new PortableLayerStoreOptions();

    /// <inheritdoc/>
    /// <remarks>A read-only layer needs no activation; a scratch layer is marked active.</remarks>
    public void ActivateLayer(string path) =>
        UpdateState(path, "hcsshim::ActivateLayer", m => m.Kind == LayerKind.Scratch ? m with { Activated = true } : m);

    /// <inheritdoc/>
    public void CreateLayer(string path, string parent)
    {
        const string Operation = "hcsshim::CreateLayer";
        using Activity? activity = Start(Operation, path);
        activity?.SetTag("parent", parent);
        Run(activity, () =>
        {
            using ILayerWriter writer = NewWriter(path, [parent, .. ChainOf(parent, Operation)], Operation);
            writer.Commit();
        });
    }

    /// <inheritdoc/>
    public void CreateScratchLayer(string path, IReadOnlyList<string> parentLayerPaths)
    {
        const string Operation = "hcsshim::CreateScratchLayer";
        using Activity? activity = Start(Operation, path, parentLayerPaths);
        Run(activity, () =>
        {
            using LayerLockSet _ = LockWithParents(path, parentLayerPaths, Operation);
            RequireParents(parentLayerPaths, Operation);
            Publish(path, Operation, folder =>
            {
                Directory.CreateDirectory(Path.Combine(folder, MountFolder));
                LayerChain.Write(folder, parentLayerPaths);
                new LayerMetadata { Kind = LayerKind.Scratch }.Write(folder);
            });
        });
    }

    /// <inheritdoc/>
    /// <remarks>A scratch layer's overlay mount, if any, is unmounted.</remarks>
    public void DeactivateLayer(string path)
    {
        UnmountOverlay(path);
        UpdateState(path, "hcsshim::DeactivateLayer", m => m.Kind == LayerKind.Scratch ? m with { Activated = false, Prepared = false } : m, ReleaseHolds);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>Destroys only a layer of this store: a folder with this store's <c>wclayer.json</c>. Anything else (a plain
    /// folder, a file, a symbolic link, a file system root, the user's home) is refused with
    /// <c>ERROR_INVALID_PARAMETER</c> (<c>ERROR_REPARSE_POINT_ENCOUNTERED</c> for a link) and nothing is deleted. An
    /// active scratch layer, a layer that a prepared scratch layer stacks on, and a layer with a file system mounted
    /// inside it are <c>ERROR_BUSY</c>. Links inside the layer are removed, never followed.</para>
    /// <para>The layer is renamed to a hidden trash name first and deleted after, so it is whole or gone even if the
    /// process is killed; trash and what failed or killed imports left beside it are swept. A missing folder is not an error.</para>
    /// </remarks>
    public void DestroyLayer(string path)
    {
        const string Operation = "hcsshim::DestroyLayer";
        using Activity? activity = Start(Operation, path);
        Run(activity, () =>
        {
            string full = LayerRemoval.Normalize(path);
            LayerRemoval.RefuseProtectedPath(full, Operation);
            using LayerLock _ = Lock(full, Operation);
            LayerRemoval.SweepLeftovers(Path.GetDirectoryName(full)!, Path.GetFileName(full), TryLock);
            IReadOnlyList<string> chain = [];
            LayerMetadata? destroyed = LayerRemoval.Destroy(full, Operation, (metadata, layer) =>
            {
                chain = metadata.Kind == LayerKind.Scratch ? LayerChain.Read(layer) : [];
                if (metadata is { Kind: LayerKind.Scratch, Activated: true })
                {
                    throw new HcsException(Operation, Win32Error.Busy, path, "(the scratch layer is active; deactivate it first)");
                }

                if (metadata is { Kind: LayerKind.Scratch, Mode: ScratchMode.Overlay })
                {
                    // An inactive scratch's overlay can only be one a killed unmount left: never delete through it.
                    OverlayMount.Unmount(full);
                }

                if (metadata.Kind == LayerKind.ReadOnly && ScratchHolds.FindPreparedHolder(layer, full) is { } scratch)
                {
                    throw new HcsException(Operation, Win32Error.Busy, path,
                        $"(the prepared scratch layer {scratch} stacks on it; unprepare or remove that scratch layer first)");
                }
            });
            if (destroyed is { Kind: LayerKind.Scratch })
            {
                // Holds are hints checked against the scratch's state; a stale one keeps nothing busy, so best effort.
                ReleaseHolds(full, chain);
            }
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">Always: the mount is a plain directory whose size cannot be limited.</exception>
    public void ExpandScratchSize(string path, ulong size)
    {
        const string Operation = "hcsshim::ExpandScratchSize";
        using Activity? activity = Start(Operation, path);
        activity?.SetTag("size", (long)Math.Min(size, long.MaxValue));
        Run(activity, () =>
        {
            RequireScratch(path, Operation);
            throw new PlatformNotSupportedException(
                "The portable store's scratch mount is a plain directory on the host file system; its size cannot be limited, so ExpandScratchSize has nothing to expand.");
        });
    }

    /// <inheritdoc/>
    /// <remarks>The folder receives what HCS's <c>ExportLayer</c> writes: the transport format with <c>tombstones.txt</c>.</remarks>
    public void ExportLayer(string path, string exportFolderPath, IReadOnlyList<string> parentLayerPaths)
    {
        const string Operation = "hcsshim::ExportLayer";
        using Activity? activity = Start(Operation, path, parentLayerPaths);
        activity?.SetTag("exportFolderPath", exportFolderPath);
        Run(activity, () =>
        {
            using ILayerReader reader = NewReader(path, parentLayerPaths, Operation);
            Directory.CreateDirectory(exportFolderPath);
            using var writer = new TransportLayerWriter(exportFolderPath, [], exportFolderPath, new TransportLayerWriterOptions { ImportFolderIsLayer = true, AllowTombstonesWithoutParents = true });
            LayerCopy.Copy(reader, writer);
            writer.Commit();
        });
    }

    /// <inheritdoc/>
    /// <remarks>For a read-only layer, its folder (as HCS); for an activated and prepared scratch layer, the directory with the merged view.</remarks>
    public string GetLayerMountPath(string path)
    {
        const string Operation = "hcsshim::GetLayerMountPath";
        using Activity? activity = Start(Operation, path);
        return Run(activity, () =>
        {
            LayerMetadata metadata = Require(path, Operation);
            string mountPath = metadata.Kind == LayerKind.ReadOnly
                ? Path.GetFullPath(path)
                : metadata is { Activated: true, Prepared: true } && (metadata.Mode != ScratchMode.Overlay || OverlayMount.IsMounted(path)) ? MountPathOf(path)
                : throw new HcsException(Operation, Win32Error.NotReady, path, "(the scratch layer is not activated and prepared)");
            activity?.SetTag("mountPath", mountPath);
            return mountPath;
        });
    }

    /// <inheritdoc/>
    /// <remarks>JSON: <c>{"Images":[{"Path":…,"Name":…}]}</c> for the processed base layers directly under <see cref="PortableLayerStoreOptions.BaseImagesRoot"/>.</remarks>
    public string GetSharedBaseImages()
    {
        const string Operation = "hcsshim::GetSharedBaseImages";
        using Activity? activity = Start(Operation, path: null);
        return Run(activity, () =>
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("Images");
                if (_options.BaseImagesRoot is { } root && Directory.Exists(root))
                {
                    foreach (string folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
                    {
                        if (!HiddenSibling.IsHidden(Path.GetFileName(folder)) && LayerMetadata.TryRead(folder) is { BaseLayerProcessed: true })
                        {
                            json.WriteStartObject();
                            json.WriteString("Path", Path.GetFullPath(folder));
                            json.WriteString("Name", Path.GetFileName(folder));
                            json.WriteEndObject();
                        }
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            string images = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
            activity?.SetTag("imageData", images);
            return images;
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">Always: there are no utility VMs without HCS.</exception>
    public void GrantVmAccess(string vmId, string filePath)
    {
        using Activity? activity = Start("hcsshim::GrantVmAccess", filePath);
        activity?.SetTag("vm-id", vmId);
        Run(activity, () => throw new PlatformNotSupportedException("GrantVmAccess needs the Host Compute Service: the portable store runs no utility VMs."));
    }

    /// <inheritdoc/>
    public void ImportLayer(string path, string importFolderPath, IReadOnlyList<string> parentLayerPaths)
    {
        const string Operation = "hcsshim::ImportLayer";
        using Activity? activity = Start(Operation, path, parentLayerPaths);
        activity?.SetTag("importFolderPath", importFolderPath);
        Run(activity, () =>
        {
            using var reader = new TransportLayerReader(importFolderPath);
            using ILayerWriter writer = NewWriter(path, parentLayerPaths, Operation);
            LayerCopy.Copy(reader, writer);
            writer.Commit();
        });
    }

    /// <inheritdoc/>
    public bool LayerExists(string path)
    {
        using Activity? activity = Start("hcsshim::LayerExists", path);
        return Run(activity, () =>
        {
            bool exists = LayerMetadata.TryRead(path) is not null;
            activity?.SetTag("layer-exists", exists);
            return exists;
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">No name-to-GUID function was given in the options.</exception>
    public Guid LayerId(string path)
    {
        using Activity? activity = Start("hcsshim::LayerID", path);
        return Run(activity, () => NameToGuid(BaseName(path)));
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">No name-to-GUID function was given in the options.</exception>
    public Guid NameToGuid(string name)
    {
        using Activity? activity = Start("hcsshim::NameToGuid", path: null);
        activity?.SetTag("objectName", name);
        return Run(activity, () =>
        {
            Func<string, Guid> convert = _options.NameToGuid ?? throw new PlatformNotSupportedException(
                "HCS's NameToGuid algorithm is private to vmcompute.dll and cannot be computed without Windows; pass a name-to-GUID function (e.g. a table captured on a Windows host) in PortableLayerStoreOptions.NameToGuid.");
            Guid guid = convert(name);
            activity?.SetTag("guid", guid.ToString());
            return guid;
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// For a scratch layer, mounts the parents' merged view at <c>&lt;scratch&gt;/mount</c>: an overlayfs mount (again
    /// after a reboot), or in a copy mode a materialized copy made the first time, whose later changes stay. The mode
    /// is <see cref="PortableLayerStoreOptions.ScratchMode"/>'s, chosen on the first call and kept (<see cref="GetScratchMode"/>).
    /// </remarks>
    /// <exception cref="HcsException">The parents differ from the chain the scratch layer was created with (<c>ERROR_INVALID_PARAMETER</c>, naming both).</exception>
    public void PrepareLayer(string path, IReadOnlyList<string> parentLayerPaths) => PrepareLayer(path, parentLayerPaths, progress: null);

    /// <summary>As <see cref="PrepareLayer(string, IReadOnlyList{string})"/>, reporting the entries copied when a copy mode materializes the view.</summary>
    /// <param name="path">The scratch layer.</param>
    /// <param name="parentLayerPaths">Its parents, immediate parent first; empty for the recorded chain.</param>
    /// <param name="progress">Receives the entries and bytes copied so far (not called in overlay mode, which copies nothing).</param>
    /// <exception cref="HcsException">The parents differ from the chain the scratch layer was created with (<c>ERROR_INVALID_PARAMETER</c>, naming both).</exception>
    public void PrepareLayer(string path, IReadOnlyList<string> parentLayerPaths, IProgress<LayerProgress>? progress)
    {
        const string Operation = "hcsshim::PrepareLayer";
        using Activity? activity = Start(Operation, path, parentLayerPaths);
        Run(activity, () =>
        {
            if (Require(path, Operation).Kind == LayerKind.ReadOnly)
            {
                return; // nothing to prepare, so no lock: a read-only store allows it
            }

            using LayerLock _ = Lock(path, Operation);
            LayerMetadata metadata = Require(path, Operation);
            if (!metadata.Activated)
            {
                throw new HcsException(Operation, Win32Error.NotReady, path, "(activate the scratch layer first)");
            }

            IReadOnlyList<string> parents = Chain(path, parentLayerPaths, Operation);
            using LayerLockSet parentLocks = LockWithParents(null, parents, Operation);
            RequireParents(parents, Operation);
            (ScratchMode mode, bool userXattr) = metadata.Mode is { } recorded ? (recorded, metadata.OverlayUserXattr) : ChooseMode(path, parents, Operation);
            activity?.SetTag("mode", mode.ToString().ToLowerInvariant());
            if (mode == ScratchMode.Overlay)
            {
                try
                {
                    OverlayMount.Mount(path, parents, userXattr);
                }
                catch (OverlayUnavailableException e)
                {
                    throw new HcsException(Operation, Win32Error.NotSupported, path, "(" + e.Message + ")", innerException: e);
                }
            }
            else if (!metadata.Materialized)
            {
                CopyView.Materialize(path, parents, reflink: mode == ScratchMode.Reflink, progress);
            }

            // Holds first, state second: a crash in between leaves a hold the state disowns, never the reverse.
            try
            {
                AddHolds(path, parents, Operation);
            }
            catch when (mode == ScratchMode.Overlay && !metadata.Prepared)
            {
                OverlayMount.Unmount(path); // not prepared, so not mounted either
                throw;
            }

            (metadata with { Prepared = true, Materialized = true, Mode = mode, OverlayUserXattr = userXattr }).Write(path);
        });
    }

    /// <summary>The mode of a scratch layer: decided by its first <see cref="PrepareLayer(string, IReadOnlyList{string})"/>, <see langword="null"/> before (and for a read-only layer).</summary>
    /// <param name="path">The scratch layer.</param>
    public ScratchMode? GetScratchMode(string path) =>
        LayerMetadata.TryRead(path) is { Kind: LayerKind.Scratch, Materialized: true } metadata ? metadata.Mode : null;

    /// <summary>The parents a scratch layer was created with (<c>layerchain.json</c>), immediate parent first.</summary>
    /// <param name="path">The layer.</param>
    public IReadOnlyList<string> GetRecordedChain(string path) => LayerChain.Read(path);

    /// <summary>The mode of a scratch layer's first prepare, and for overlay mode whether it is mounted with <c>userxattr</c>.</summary>
    /// <remarks>
    /// Overlay as root of the machine over parents with <c>trusted.*</c> marks; else, as root of a user namespace (or
    /// over parents written there), overlay with <c>userxattr</c> over parents with <c>user.overlay.*</c> marks; else
    /// a reflink copy where the file system clones, else a full copy.
    /// </remarks>
    private (ScratchMode Mode, bool UserXattr) ChooseMode(string path, IReadOnlyList<string> parents, string operation)
    {
        ScratchMode wanted = _options.ScratchMode;
        List<LayerMetadata?> parentMetadata = parents.Select(LayerMetadata.TryRead).ToList();
        bool trusted = PlainFilesTree.CanWriteTrusted && parentMetadata.All(m => m is { Stackable: true });
        bool user = PlainFilesTree.CanStack && parentMetadata.All(m => m is { StackableWithUserXattr: true });
        if (wanted == ScratchMode.Overlay && !trusted && !user)
        {
            throw new HcsException(operation, Win32Error.NotSupported, path, PlainFilesTree.CanStack
                ? "(overlay mode needs parents imported as root, whose deletions are overlay whiteouts; re-import them as root or use a copy mode)"
                : "(overlay mode needs root, of the machine or of a user namespace (unshare --user --map-root-user --mount), and parents imported so; use a copy mode)");
        }

        if (wanted == ScratchMode.Overlay)
        {
            return (ScratchMode.Overlay, !trusted); // mounted by the caller, whose errors name the layer
        }

        if (wanted == ScratchMode.Auto && (trusted || user))
        {
            try
            {
                OverlayMount.Mount(path, parents, userXattr: !trusted);
                return (ScratchMode.Overlay, !trusted);
            }
            catch (OverlayUnavailableException)
            {
                // Fall back to a copy mode.
            }
        }

        if (wanted == ScratchMode.Reflink && parents.Count > 0 && !CopyView.CanReflink(path, parents[0]))
        {
            throw new HcsException(operation, Win32Error.NotSupported, path, "(reflink mode needs the scratch layer and its parents on one file system that supports FICLONE: btrfs, XFS with reflink)");
        }

        return wanted switch
        {
            ScratchMode.Auto => (parents.Count > 0 && CopyView.CanReflink(path, parents[0]) ? ScratchMode.Reflink : ScratchMode.Copy, false),
            _ => (wanted, false),
        };
    }

    /// <summary>The chain to use: the recorded one when none is given; a given one must be the recorded one.</summary>
    private static IReadOnlyList<string> Chain(string path, IReadOnlyList<string> given, string operation)
    {
        IReadOnlyList<string> recorded = LayerChain.Read(path);
        if (given.Count == 0)
        {
            return recorded;
        }

        if (!given.Select(Path.GetFullPath).SequenceEqual(recorded.Select(Path.GetFullPath), StringComparer.Ordinal))
        {
            throw new HcsException(operation, Win32Error.InvalidParameter, path,
                $"(the parent layers given, [{string.Join(", ", given.Select(Path.GetFullPath))}], are not the chain the layer was created with, [{string.Join(", ", recorded)}]; pass that chain, immediate parent first, or none)");
        }

        return recorded;
    }

    /// <summary>
    /// Unmounts a scratch layer's overlay if the kernel has it mounted, before any state changes: the kernel, not the
    /// recorded state, says whether it is mounted, so a killed unmount is repaired by the next call.
    /// </summary>
    private static void UnmountOverlay(string path)
    {
        if (LayerMetadata.TryRead(path) is { Kind: LayerKind.Scratch, Mode: ScratchMode.Overlay })
        {
            OverlayMount.Unmount(path);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Checks for <c>Files\Windows\System32\config\{DEFAULT,SAM,SECURITY,SOFTWARE,SYSTEM}</c> and marks the layer as a base layer; no VHD is made.</remarks>
    public void ProcessBaseLayer(string path)
    {
        const string Operation = "hcsshim::ProcessBaseLayer";
        using Activity? activity = Start(Operation, path);
        Run(activity, () =>
        {
            using LayerLock _ = Lock(path, Operation);
            LayerMetadata metadata = LayerMetadata.TryRead(path) ?? throw new LayerPathException(Operation, path, Win32Error.PathNotFound);
            foreach (string hive in new[] { "DEFAULT", "SAM", "SECURITY", "SOFTWARE", "SYSTEM" })
            {
                string file = Path.Combine(path, "Files", "Windows", "System32", "config", hive);
                if (!File.Exists(file))
                {
                    throw new LayerPathException(Operation, path, Win32Error.FileNotFound, $"a base layer needs the registry hive Files\\Windows\\System32\\config\\{hive}");
                }
            }

            (metadata with { BaseLayerProcessed = true }).Write(path);
        });
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="path"/> is <c>&lt;layer&gt;\UtilityVM</c>; checks for <c>Files\EFI\Microsoft\Boot\BCD</c> and marks the layer.</remarks>
    public void ProcessUtilityVMImage(string path)
    {
        const string Operation = "hcsshim::ProcessUtilityVMImage";
        using Activity? activity = Start(Operation, path);
        Run(activity, () =>
        {
            string layer = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) ?? path;
            using LayerLock _ = Lock(layer, Operation);
            LayerMetadata metadata = LayerMetadata.TryRead(layer) ?? throw new LayerPathException(Operation, path, Win32Error.PathNotFound);
            if (!File.Exists(Path.Combine(path, "Files", "EFI", "Microsoft", "Boot", "BCD")))
            {
                throw new LayerPathException(Operation, path, Win32Error.FileNotFound, "UtilityVM must contain 'EFI\\Microsoft\\Boot\\BCD'");
            }

            (metadata with { UtilityVMProcessed = true }).Write(layer);
        });
    }

    /// <inheritdoc/>
    /// <remarks>A scratch layer's overlay mount is unmounted (a copy mode's view stays, as a scratch VHD does).</remarks>
    public void UnprepareLayer(string path)
    {
        UnmountOverlay(path);
        UpdateState(path, "hcsshim::UnprepareLayer", m => m.Kind == LayerKind.Scratch ? m with { Prepared = false } : m, ReleaseHolds);
    }

    /// <inheritdoc/>
    /// <remarks>A read-only layer is read as stored; a scratch layer yields its difference against its parents.</remarks>
    public ILayerReader NewLayerReader(string path, IReadOnlyList<string> parentLayerPaths)
    {
        using Activity? activity = Start("hcsshim::NewLayerReader", path, parentLayerPaths);
        return Run(activity, () => NewReader(path, parentLayerPaths, "hcsshim::NewLayerReader"));
    }

    /// <inheritdoc/>
    public ILayerWriter NewLayerWriter(string path, IReadOnlyList<string> parentLayerPaths)
    {
        using Activity? activity = Start("hcsshim::NewLayerWriter", path, parentLayerPaths);
        return Run(activity, () => NewWriter(path, parentLayerPaths, "hcsshim::NewLayerWriter"));
    }

    /// <summary>
    /// Changes a layer's recorded state under its lock; the file is rewritten only when the state changes. A scratch
    /// layer that stops being prepared then gives back its holds on its parents (<paramref name="releaseHolds"/>).
    /// </summary>
    private void UpdateState(string path, string operation, Func<LayerMetadata, LayerMetadata> change, Action<string, IReadOnlyList<string>>? releaseHolds = null)
    {
        using Activity? activity = Start(operation, path);
        Run(activity, () =>
        {
            // A change that changes nothing (activating a read-only layer) needs no lock: a read-only store allows it.
            LayerMetadata current = Require(path, operation);
            if (change(current) == current)
            {
                return;
            }

            using LayerLock _ = Lock(path, operation);
            LayerMetadata metadata = Require(path, operation);
            LayerMetadata changed = change(metadata);
            if (changed != metadata)
            {
                changed.Write(path);
            }

            if (metadata.Prepared && !changed.Prepared)
            {
                releaseHolds?.Invoke(LayerRemoval.Normalize(path), LayerChain.Read(path));
            }
        });
    }

    /// <summary>Records on each parent (whose shared lock the caller holds) that the scratch layer is prepared on it.</summary>
    private static void AddHolds(string scratch, IReadOnlyList<string> parents, string operation)
    {
        string scratchFull = LayerRemoval.Normalize(scratch);
        foreach (string parent in parents)
        {
            string parentFull = LayerRemoval.Normalize(parent);
            RequireParents([parentFull], operation);
            try
            {
                ScratchHolds.Add(parentFull, scratchFull);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new HcsException(operation, Win32Error.AccessDenied, scratch,
                    $"(a prepared scratch layer records itself in each parent ({ScratchHolds.FolderName}), so the parent cannot be removed under it; this user may not write in {parentFull}: stack on layers this user owns, or prepare as their owner)", innerException: e);
            }
        }
    }

    /// <summary>Takes back a scratch layer's holds on its parents; best effort, as a stale hold keeps nothing busy.</summary>
    private void ReleaseHolds(string scratchFull, IReadOnlyList<string> parents)
    {
        foreach (string parent in parents)
        {
            string parentFull = LayerRemoval.Normalize(parent);
            using IDisposable? parentLock = TryLock(parentFull);
            try
            {
                ScratchHolds.Remove(parentFull, scratchFull);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The parent may be gone or read-only; the hold is disowned by the scratch's state anyway.
            }
        }
    }

    /// <summary>Takes a layer's lock if it is free right now; <see langword="null"/> if another operation holds it.</summary>
    private LayerLock? TryLock(string path)
    {
        try
        {
            return LayerLock.Acquire(path, "hcsshim::DestroyLayer", TimeSpan.Zero);
        }
        catch (HcsException)
        {
            return null;
        }
    }

    internal static string MountPathOf(string path) => Path.Combine(Path.GetFullPath(path), MountFolder);

    /// <summary>A reader that holds shared locks on the layer (and, for a scratch layer, its parents) until it is disposed.</summary>
    private ILayerReader NewReader(string path, IReadOnlyList<string> parentLayerPaths, string operation)
    {
        LayerMetadata metadata = Require(path, operation);
        IReadOnlyList<string> chain = Chain(path, parentLayerPaths, operation);
        IReadOnlyList<string> parents = metadata.Kind == LayerKind.ReadOnly ? [] : chain;
        LayerLockSet locks = LayerLockSet.Acquire([(path, true), .. parents.Select(p => (p, true))], operation, _options.LockTimeout);
        try
        {
            // Checked again under the locks: the layer may have been destroyed while this waited.
            metadata = Require(path, operation);
            if (metadata.Kind == LayerKind.ReadOnly)
            {
                return new LockedLayerReader(PortableLayerFiles.OpenReader(path), locks);
            }

            RequireParents(parents, operation);
            ILayerReader reader = metadata is { Materialized: true, Mode: { } mode } ? new ScratchDiffReader(path, parents, mode, metadata.OverlayUserXattr) : new EmptyLayerReader();
            return new LockedLayerReader(reader, locks);
        }
        catch
        {
            locks.Dispose();
            throw;
        }
    }

    /// <summary>The layer's exclusive lock (when <paramref name="path"/> is given), then its parents' shared locks.</summary>
    private LayerLockSet LockWithParents(string? path, IReadOnlyList<string> parents, string operation) =>
        LayerLockSet.Acquire([.. path is null ? [] : new[] { (path, false) }, .. parents.Select(p => (p, true))], operation, _options.LockTimeout);

    private ILayerWriter NewWriter(string path, IReadOnlyList<string> parentLayerPaths, string operation)
    {
        LayerLockSet layerLock = LockWithParents(path, parentLayerPaths, operation);
        try
        {
            RequireParents(parentLayerPaths, operation);
            RequireAbsentOrEmpty(path, operation);
            RemoveLeftovers(path);
            string folder = TemporarySibling(path);
            Directory.CreateDirectory(folder);
            try
            {
                return new PortableLayerWriter(path, folder, parentLayerPaths, layerLock, operation);
            }
            catch
            {
                LayerRemoval.RemoveOwnFolder(folder);
                throw;
            }
        }
        catch
        {
            layerLock.Dispose();
            throw;
        }
    }

    /// <summary>Builds a layer in a hidden sibling and renames it into place, so it appears whole or not at all.</summary>
    internal static void Publish(string path, string operation, Action<string> build)
    {
        RequireAbsentOrEmpty(path, operation);
        RemoveLeftovers(path);
        string folder = TemporarySibling(path);
        Directory.CreateDirectory(folder);
        try
        {
            build(folder);
            PublishFolder(folder, path, operation);
        }
        catch
        {
            LayerRemoval.RemoveOwnFolder(folder);
            throw;
        }
    }

    internal static void PublishFolder(string folder, string path, string operation)
    {
        // rename(2) replaces an empty directory atomically and refuses a non-empty one.
        if (Interop.Libc.renameat(Interop.Libc.AT_FDCWD, folder, Interop.Libc.AT_FDCWD, Path.GetFullPath(path)) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new HcsException(operation, errno is Interop.Libc.ENOTEMPTY or Interop.Libc.EEXIST ? Win32Error.AlreadyExists : Win32Error.GenFailure, path,
                string.Create(CultureInfo.InvariantCulture, $"(rename from {folder} failed with errno {errno})"));
        }
    }

    internal static string TemporarySibling(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string directory = Path.GetDirectoryName(full) ?? full;
        Directory.CreateDirectory(directory);
        return HiddenSibling.Beside(full, HiddenSibling.TemporaryMarker);
    }

    /// <summary>
    /// Removes what writers and removals of this layer that died (killed, crashed) left beside it. Only called under
    /// the layer's lock, which a live writer holds until it commits or is disposed, so every leftover belongs to a dead one.
    /// </summary>
    private static void RemoveLeftovers(string path)
    {
        string full = LayerRemoval.Normalize(path);
        LayerRemoval.SweepLeftovers(Path.GetDirectoryName(full)!, Path.GetFileName(full), _ => null);
    }

    private static void RequireAbsentOrEmpty(string path, string operation)
    {
        if (LayerMetadata.TryRead(path) is not null)
        {
            throw new HcsException(operation, Win32Error.AlreadyExists, path);
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new HcsException(operation, Win32Error.DirNotEmpty, path, "(the folder is not a layer and not empty)");
        }
    }

    private static LayerMetadata Require(string path, string operation) =>
        LayerMetadata.TryRead(path) ?? throw new HcsException(operation, Win32Error.PathNotFound, path);

    private static void RequireScratch(string path, string operation)
    {
        if (Require(path, operation).Kind != LayerKind.Scratch)
        {
            throw new HcsException(operation, Win32Error.InvalidParameter, path, "(not a scratch layer)");
        }
    }

    private static void RequireParents(IReadOnlyList<string> parents, string operation)
    {
        foreach (string parent in parents)
        {
            if (LayerMetadata.TryRead(parent) is not { Kind: LayerKind.ReadOnly })
            {
                throw new HcsException(operation, Win32Error.PathNotFound, parent, "(parent layer)");
            }
        }
    }

    private static IReadOnlyList<string> ChainOf(string parent, string operation)
    {
        RequireParents([parent], operation);
        return LayerChain.Read(parent);
    }

    private LayerLock Lock(string path, string operation) => LayerLock.Acquire(path, operation, _options.LockTimeout);

    /// <summary>The base name as Go's <c>filepath.Split</c> on Windows sees it: after the last <c>\</c>, <c>/</c> or drive colon.</summary>
    private static string BaseName(string path)
    {
        int split = path.LastIndexOfAny(['\\', '/']);
        if (split < 0 && path.Length >= 2 && path[1] == ':')
        {
            split = 1;
        }

        return path[(split + 1)..];
    }

    private static Activity? Start(string name, string? path, IReadOnlyList<string>? parentLayerPaths = null)
    {
        Activity? activity = WcLayerActivitySource.Source.StartActivity(name);
        if (path is not null)
        {
            activity?.SetTag("path", path);
        }

        if (parentLayerPaths is not null)
        {
            activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        }

        return activity;
    }

    private static void Run(Activity? activity, Action action) => Run<object?>(activity, () =>
    {
        action();
        return null;
    });

    private static T Run<T>(Activity? activity, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }
}
