using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Portable;

/// <summary>
/// Reads a scratch layer as its difference against its parents: what was added or changed in the mount since it was
/// materialized, and tombstones for what was deleted. A changed file keeps its parent's attributes, creation time,
/// security descriptor, extended attributes and alternate data streams, with the new data and times; a new file or
/// directory gets the defaults <c>FILE_ATTRIBUTE_ARCHIVE</c> (or <c>DIRECTORY</c>), the mount's times and no security
/// descriptor (Windows then applies the inherited one); a new symbolic link becomes a symbolic-link reparse point. The
/// directories above every change are included with their parent metadata, so the layer imports on its own.
/// </summary>
internal sealed class ScratchDiffReader : ILayerReader
{
    private readonly LayerRoot _mount;
    private readonly IReadOnlyList<string> _parents;
    private readonly LayerRoot?[] _parentRoots;
    private readonly ViewManifest _manifest;
    private readonly Dictionary<string, List<string>> _manifestChildren = new(StringComparer.Ordinal);
    private readonly List<Change> _plan = [];
    private int _index = -1;
    private Stream? _current;
    private LayerLinkInfo _currentLink;
    private bool _disposed;

    public ScratchDiffReader(string mountPath, string scratchPath, IReadOnlyList<string> parents)
    {
        _parents = parents;
        _parentRoots = new LayerRoot?[parents.Count];
        _manifest = ViewManifest.Read(scratchPath);
        foreach (string path in _manifest.Entries.Keys)
        {
            if (path.Length > 0)
            {
                string parent = Parent(path);
                if (!_manifestChildren.TryGetValue(parent, out List<string>? list))
                {
                    _manifestChildren[parent] = list = [];
                }

                list.Add(path);
            }
        }

        _mount = LayerRoot.Open(mountPath);
        try
        {
            List<Change> changes = Visit(string.Empty);
            if (changes.Count > 0)
            {
                _plan.Add(new Change(string.Empty, ChangeKind.Directory, _manifest.Entries.TryGetValue(string.Empty, out ViewEntry? root) ? root.Layer : null));
                _plan.AddRange(changes);
            }
        }
        catch
        {
            _mount.Dispose();
            throw;
        }
    }

    private enum ChangeKind
    {
        Tombstone,
        Directory,
        File,
        SymbolicLink,
    }

    public LayerEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _current?.Dispose();
        _current = null;
        if (++_index >= _plan.Count)
        {
            return null;
        }

        Change change = _plan[_index];
        string name = change.Path.Length == 0 ? TransportPath.Files : TransportPath.Files + "\\" + change.Path.Replace('/', '\\');
        if (change.Kind == ChangeKind.Tombstone)
        {
            return new LayerEntry(name, 0, null);
        }

        LayerFileStatus status = _mount.Stat(change.Path) ?? throw new LayerPathException("stat", _mount.Describe(change.Path), Win32Error.FileNotFound);
        _currentLink = new LayerLinkInfo(status.NumberOfLinks, status.FileId);
        return change.Kind switch
        {
            ChangeKind.Directory => OpenDirectory(name, change, status),
            ChangeKind.SymbolicLink => OpenSymbolicLink(name, change, status),
            _ => OpenFile(name, change, status),
        };
    }

    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _current?.Read(buffer) ?? 0;
    }

    public LayerLinkInfo GetLinkInfo() =>
        _index >= 0 && _index < _plan.Count && _plan[_index].Kind != ChangeKind.Tombstone ? _currentLink : throw new InvalidOperationException("There is no current entry, or it is a tombstone.");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _current?.Dispose();
        _mount.Dispose();
        foreach (LayerRoot? root in _parentRoots)
        {
            root?.Dispose();
        }
    }

    private List<Change> Visit(string directory)
    {
        var tombstones = new List<Change>();
        var changes = new List<Change>();
        List<(string Name, bool IsDirectory)> children = _mount.List(directory);
        foreach ((string child, _) in children)
        {
            _mount.RequireWindowsName(directory, child);
        }

        children.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        var present = new Dictionary<string, LayerFileStatus>(StringComparer.Ordinal);
        foreach ((string childName, _) in children)
        {
            string path = Join(directory, childName);
            present[path] = _mount.Stat(path) ?? throw new LayerPathException("stat", _mount.Describe(path), Win32Error.FileNotFound);
        }

        if (_manifestChildren.TryGetValue(directory, out List<string>? before))
        {
            foreach (string path in before.Order(Utf8OrdinalComparer.Instance))
            {
                if (!present.TryGetValue(path, out LayerFileStatus now) || now.Kind != _manifest.Entries[path].Kind)
                {
                    tombstones.Add(new Change(path, ChangeKind.Tombstone, null));
                }
            }
        }

        foreach ((string childName, _) in children)
        {
            string path = Join(directory, childName);
            LayerFileStatus status = present[path];
            _manifest.Entries.TryGetValue(path, out ViewEntry? was);
            bool same = was is not null && was.Kind == status.Kind;
            switch (status.Kind)
            {
                case LayerFileKind.Directory:
                    List<Change> below = Visit(path);
                    if (!same || below.Count > 0)
                    {
                        changes.Add(new Change(path, ChangeKind.Directory, same ? was!.Layer : null));
                        changes.AddRange(below);
                    }

                    break;
                case LayerFileKind.SymbolicLink:
                    if (!same || was!.LinkTarget != _mount.ReadSymbolicLink(path))
                    {
                        changes.Add(new Change(path, ChangeKind.SymbolicLink, same ? was!.Layer : null));
                    }

                    break;
                case LayerFileKind.File:
                    if (!same || !was!.IsUnchanged(status))
                    {
                        changes.Add(new Change(path, ChangeKind.File, same ? was!.Layer : null));
                    }

                    break;
                default:
                    throw new InvalidDataException($"{_mount.Describe(path)}: only files, directories and symbolic links can be part of a Windows layer.");
            }
        }

        tombstones.AddRange(changes);
        return tombstones;
    }

    private LayerEntry OpenDirectory(string name, Change change, LayerFileStatus status)
    {
        if (change.Layer is { } layer && OpenParentEntry(layer, name, isDirectory: true) is { } parent)
        {
            _current = parent.Stream;
            return new LayerEntry(name, 0, parent.Info);
        }

        _current = Stream.Null;
        return new LayerEntry(name, 0, Defaults(status, FileAttributes.Directory));
    }

    private LayerEntry OpenSymbolicLink(string name, Change change, LayerFileStatus status)
    {
        string target = _mount.ReadSymbolicLink(change.Path);
        bool relative = !target.StartsWith('/') && !(target.Length >= 2 && target[1] == ':');
        string windowsTarget = relative ? target.Replace('/', '\\') : target;
        FileAttributes attributes = FileAttributes.ReparsePoint;
        if (relative && ResolveInside(Parent(change.Path), target) is { } resolved && _mount.Stat(resolved) is { IsDirectory: true })
        {
            attributes |= FileAttributes.Directory;
        }

        var stream = new MemoryStream();
        using (var writer = new BackupStreamWriter(stream, leaveOpen: true))
        {
            writer.WriteStream(BackupStreamId.ReparseData, ReparsePoint.Create(windowsTarget, isMountPoint: false).Buffer.Span);
        }

        stream.Position = 0;
        _current = stream;
        return new LayerEntry(name, 0, Defaults(status, attributes));
    }

    private LayerEntry OpenFile(string name, Change change, LayerFileStatus status)
    {
        FileStream content = _mount.OpenFile(change.Path);
        try
        {
            FileBasicInfo info = Defaults(status, FileAttributes.Archive);
            ParentEntry? parent = change.Layer is { } layer ? OpenParentEntry(layer, name, isDirectory: false) : null;
            if (parent is { } p)
            {
                info = info with { CreationTime = p.Info.CreationTime, FileAttributes = p.Info.FileAttributes & ~(FileAttributes.SparseFile | FileAttributes.ReparsePoint) };
                _current = ChangedFileStream.Create(p.Stream, content, _mount.Describe(change.Path));
            }
            else
            {
                _current = ChangedFileStream.Create(null, content, _mount.Describe(change.Path));
            }

            return new LayerEntry(name, content.Length, info);
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }

    private ParentEntry? OpenParentEntry(int layer, string name, bool isDirectory)
    {
        LayerRoot root = _parentRoots[layer] ??= LayerRoot.Open(_parents[layer]);
        string companion = isDirectory ? name + TransportPath.DirectoryCompanionSuffix : name;
        if (root.Stat(companion) is not { Kind: LayerFileKind.File })
        {
            return null;
        }

        (FileBasicInfo info, _, Stream stream, SafeFileHandle _) = TransportEntry.OpenPrefixed(root, name, isDirectory, root.Describe(name));
        return new ParentEntry(info, stream);
    }

    /// <summary>A relative link target as a path below the mount (lexically), or <see langword="null"/> if it leaves the mount.</summary>
    private static string? ResolveInside(string directory, string target)
    {
        var parts = directory.Length == 0 ? new List<string>() : [.. directory.Split('/')];
        foreach (string part in target.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private static FileBasicInfo Defaults(LayerFileStatus status, FileAttributes attributes) =>
        new(status.CreationTime, status.LastAccessTime, status.LastWriteTime, status.ChangeTime, attributes);

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    private sealed record Change(string Path, ChangeKind Kind, int? Layer);

    private readonly record struct ParentEntry(FileBasicInfo Info, Stream Stream);
}
