using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// The copy modes of a scratch layer: materializes the merged view of its parents into its mount directory, as
/// overlayfs would show it (base layer first, each layer's tombstones applied before its entries), with every entry's
/// Windows metadata attributes copied along, so a rename or copy in the mount keeps them as an overlay copy-up does.
/// Files are reflinked (<c>FICLONE</c>) in <see cref="ScratchMode.Reflink"/> mode, copied otherwise; hard links within a
/// layer stay hard links. Records what it made in <see cref="ViewManifest"/>, so the diff finds changes without
/// reading contents.
/// </summary>
internal static class CopyView
{
    private static readonly string[] CopiedAttributes = [UnixLayerRoot.BasicInfoAttribute, UnixLayerRoot.StreamsAttribute, UnixLayerRoot.StreamsBlobAttribute];
    private static readonly string[] CopiedLinkAttributes = [PlainFilesTree.LinkBasicInfoAttribute, PlainFilesTree.LinkStreamsAttribute, PlainFilesTree.LinkStreamsBlobAttribute];

    /// <summary>
    /// Whether files of <paramref name="parent"/> can be reflinked into <paramref name="scratchPath"/>: one file system
    /// (same device), and it supports <c>FICLONE</c> (probed with two files in the scratch folder; the parent is never written).
    /// </summary>
    public static bool CanReflink(string scratchPath, string parent)
    {
        using (LayerRoot scratch = LayerRoot.Open(scratchPath))
        using (LayerRoot layer = LayerRoot.Open(parent))
        {
            if (scratch.Stat(string.Empty) is not { } a || layer.Stat(string.Empty) is not { } b || (a.FileId >> 64) != (b.FileId >> 64))
            {
                return false;
            }
        }

        string probe = Path.Combine(scratchPath, ".reflink-probe");
        try
        {
            using var from = new FileStream(probe + "-source", FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            from.WriteByte(1);
            from.Flush();
            using var to = new FileStream(probe, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return UnixLayerRoot.TryClone(from.SafeFileHandle, to.SafeFileHandle);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <remarks>
    /// The view is built in a hidden folder beside the mount directory and renamed into place when whole, so a killed
    /// copy leaves no half view at the mount path: the next call (the scratch layer is not materialized yet, so nobody
    /// has seen or changed the view) sweeps what it left and starts again.
    /// </remarks>
    public static void Materialize(string scratchPath, IReadOnlyList<string> parents, bool reflink, IProgress<LayerProgress>? progress = null)
    {
        string mountPath = PortableLayerStore.MountPathOf(scratchPath);
        SweepUnfinishedViews(mountPath);
        string building = HiddenSibling.Beside(mountPath, HiddenSibling.TemporaryMarker);
        Directory.CreateDirectory(building);
        try
        {
            Build(scratchPath, building, parents, reflink, progress);
            if (Directory.Exists(mountPath))
            {
                Directory.Delete(mountPath); // the empty directory CreateScratchLayer made: only an empty one goes
            }

            Directory.Move(building, mountPath);
        }
        catch
        {
            LayerRemoval.RemoveOwnFolder(building);
            throw;
        }
    }

    /// <summary>
    /// Removes what a killed <see cref="Materialize"/> left: its hidden folders, and a view already renamed into place
    /// whose scratch layer was not yet recorded as materialized (renamed away first, then removed without following links).
    /// </summary>
    private static void SweepUnfinishedViews(string mountPath)
    {
        string folder = Path.GetDirectoryName(mountPath)!;
        LayerRemoval.SweepLeftovers(folder, Path.GetFileName(mountPath), tryLock: _ => null);
        if (Directory.Exists(mountPath) && Directory.EnumerateFileSystemEntries(mountPath).Any())
        {
            string trash = HiddenSibling.Beside(mountPath, HiddenSibling.TrashMarker);
            Directory.Move(mountPath, trash);
            LayerRemoval.RemoveOwnFolder(trash);
        }
    }

    private static void Build(string scratchPath, string viewPath, IReadOnlyList<string> parents, bool reflink, IProgress<LayerProgress>? progress)
    {
        var manifest = new ViewManifest();
        var tally = new Tally(progress);
        using var mount = (UnixLayerRoot)LayerRoot.Open(viewPath);
        for (int layer = parents.Count - 1; layer >= 0; layer--)
        {
            using var root = (UnixLayerRoot)LayerRoot.Open(parents[layer]);
            foreach (string tombstone in ReadTombstones(root))
            {
                mount.RemoveAll(tombstone);
                manifest.RemoveTree(tombstone);
            }

            if (root.Stat(TransportPath.Files) is not { IsDirectory: true })
            {
                continue;
            }

            var copy = new LayerMerge(root, mount, manifest, layer, reflink, tally);
            copy.CopyAttributes(TransportPath.Files, string.Empty, isDirectory: true);
            copy.Record(string.Empty);
            copy.Directory(string.Empty);
        }

        manifest.Write(scratchPath);
    }

    /// <summary>A layer's tombstones as paths below <c>Files/</c> with <c>/</c> separators.</summary>
    internal static IEnumerable<string> ReadTombstones(LayerRoot layer)
    {
        if (layer.Stat(TransportPath.TombstonesFile) is null)
        {
            return [];
        }

        using FileStream file = layer.OpenFile(TransportPath.TombstonesFile);
        return TombstoneFile.Read(file, layer.Describe(TransportPath.TombstonesFile))
            .Where(n => TransportPath.HasPrefix(n, TransportPath.Files))
            .Select(n => n[(TransportPath.Files.Length + 1)..].Replace('\\', '/'))
            .ToList();
    }

    /// <summary>Counts the entries and bytes copied into the view, for a progress line.</summary>
    private sealed class Tally(IProgress<LayerProgress>? progress)
    {
        private long _entries;
        private long _bytes;

        public void Add(string path, long bytes)
        {
            if (progress is not null)
            {
                _bytes += bytes;
                progress.Report(new LayerProgress(++_entries, _bytes, path));
            }
        }
    }

    private sealed class LayerMerge(UnixLayerRoot layer, UnixLayerRoot mount, ViewManifest manifest, int index, bool reflink, Tally tally)
    {
        private readonly Dictionary<UInt128, string> _firstNames = [];
        private readonly byte[] _buffer = new byte[1 << 16];

        public void Directory(string directory)
        {
            string source = Source(directory);
            List<(string Name, bool IsDirectory)> children = layer.List(source);
            children.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
            foreach ((string childName, bool isDirectory) in children)
            {
                layer.RequireWindowsName(source, childName);
                string path = directory.Length == 0 ? childName : directory + "/" + childName;
                string from = Source(path);
                if (isDirectory)
                {
                    LayerFileStatus? existing = mount.Stat(path);
                    bool isImplicit = PlainFilesTree.IsImplicit(layer, from);
                    if (existing is { IsDirectory: false })
                    {
                        mount.RemoveAll(path);
                        manifest.RemoveTree(path);
                        existing = null;
                    }

                    if (existing is null)
                    {
                        mount.CreateDirectory(path);
                    }

                    if (!isImplicit || existing is null)
                    {
                        CopyAttributes(from, path, isDirectory: true);
                        Record(path);
                    }

                    Directory(path);
                    continue;
                }

                LayerFileStatus status = layer.Stat(from) ?? throw new LayerPathException("stat", layer.Describe(from), Win32Error.FileNotFound);
                if (status.IsWhiteout)
                {
                    continue;
                }

                if (manifest.Entries.ContainsKey(path))
                {
                    mount.RemoveAll(path);
                    manifest.RemoveTree(path);
                }

                switch (status.Kind)
                {
                    case LayerFileKind.SymbolicLink:
                        mount.CreateSymbolicLink(path, layer.ReadSymbolicLink(from));
                        foreach (string name in CopiedLinkAttributes)
                        {
                            if (layer.ReadLinkAttribute(from, name) is { } value)
                            {
                                mount.WriteLinkAttribute(path, name, value);
                            }
                        }

                        break;
                    case LayerFileKind.File:
                        CopyFile(from, path, status);
                        break;
                    default:
                        throw new InvalidDataException($"{layer.Describe(from)}: only files, directories and symbolic links can be part of a Windows layer.");
                }

                Record(path);
            }
        }

        public void CopyAttributes(string from, string to, bool isDirectory)
        {
            using SafeFileHandle source = layer.OpenHandle(from, isDirectory);
            using SafeFileHandle destination = mount.OpenHandle(to, isDirectory, write: !isDirectory);
            CopyAttributes(source, destination, to);
        }

        public void Record(string path)
        {
            LayerFileStatus status = mount.Stat(path) ?? throw new LayerPathException("stat", mount.Describe(path), Win32Error.FileNotFound);
            tally.Add(path, status.Kind == LayerFileKind.File ? status.Size : 0);
            manifest.Entries[path] = new ViewEntry(index, status.Kind, status.FileId, status.IsDirectory ? 0 : status.Size, status.LastWriteTime, status.ChangeTime,
                status.Kind == LayerFileKind.SymbolicLink ? mount.ReadSymbolicLink(path) : null);
        }

        private void CopyFile(string from, string path, LayerFileStatus status)
        {
            if (status.NumberOfLinks > 1 && _firstNames.TryGetValue(status.FileId, out string? first) && mount.Stat(first) is { Kind: LayerFileKind.File })
            {
                mount.Link(first, mount, path);
                Record(first);
                return;
            }

            _firstNames[status.FileId] = path;
            using FileStream input = layer.OpenFile(from);
            using FileStream output = mount.CreateFile(path);
            if (!reflink || !UnixLayerRoot.TryClone(input.SafeFileHandle, output.SafeFileHandle))
            {
                if (reflink)
                {
                    throw new IOException($"{mount.Describe(path)}: the file system cannot share data with {layer.Describe(from)} (FICLONE failed); prepare the scratch layer in copy mode.");
                }

                int n;
                while ((n = input.Read(_buffer)) > 0)
                {
                    output.Write(_buffer, 0, n);
                }
            }

            CopyAttributes(input.SafeFileHandle, output.SafeFileHandle, path);
        }

        private void CopyAttributes(SafeFileHandle source, SafeFileHandle destination, string path)
        {
            foreach (string name in CopiedAttributes)
            {
                if (UnixLayerRoot.ReadAttribute(source, name, path) is { } value)
                {
                    UnixLayerRoot.WriteAttribute(destination, name, value, mount.Describe(path));
                }
            }

            if (layer.GetBasicInfo(source) is { } info)
            {
                mount.SetFileTimes(destination, info);
            }
        }

        private static string Source(string path) => path.Length == 0 ? TransportPath.Files : TransportPath.Files + "/" + path;
    }
}
