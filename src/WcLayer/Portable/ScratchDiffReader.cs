using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Portable;

/// <summary>
/// Reads a scratch layer as its difference against its parents. In overlay mode it walks only the upper directory,
/// so its cost follows the changes, not the image: whiteouts and opaque directories become tombstones, and every
/// entry there is changed or new. In the copy modes it compares the mount with what was materialized
/// (<see cref="ViewManifest"/>: no file is read unless it changed).
/// </summary>
/// <remarks>
/// <para>An entry's metadata is its own stored one (it came up with it from a parent, or was copied along with it
/// by a rename), else that of the parents' entry it replaces (an editor that saves through a new file), else the
/// documented defaults: <c>FILE_ATTRIBUTE_ARCHIVE</c> (or <c>DIRECTORY</c>), the file system's times and no
/// security descriptor, which Windows then inherits. A changed file keeps its creation time, attributes, security
/// descriptor, EAs and alternate data streams, with the new data and times; a new symbolic link becomes a
/// symbolic-link reparse point. The directories above every change are included, so the layer imports on its own.</para>
/// <para>Order: depth first; in each directory its tombstones, then its entries, both in UTF-8 byte order.</para>
/// </remarks>
internal sealed class ScratchDiffReader : ILayerReader
{
    private readonly UnixLayerRoot _root;
    private readonly LowerView _lower;
    private readonly ViewManifest? _manifest;
    private readonly string _mountPath;
    private readonly Dictionary<string, List<string>> _manifestChildren = new(StringComparer.Ordinal);

    // Overlay mode: other names of changed hard-linked files that are not in the upper directory (alias → changed name),
    // and the names each directory must show for them.
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _aliasChildren = new(StringComparer.Ordinal);
    private readonly List<Change> _plan = [];
    private readonly string _opaqueAttribute;
    private int _index = -1;
    private Stream? _current;
    private LayerLinkInfo _currentLink;
    private bool _disposed;

    public ScratchDiffReader(string scratchPath, IReadOnlyList<string> parents, ScratchMode mode, bool userXattr)
    {
        // The mark the kernel writes in the upper directory; the other kind there is only a lower directory's, copied up.
        _opaqueAttribute = userXattr ? PlainFilesTree.UserOpaqueAttribute : PlainFilesTree.OpaqueAttribute;
        _mountPath = PortableLayerStore.MountPathOf(scratchPath);
        bool overlay = mode == ScratchMode.Overlay;
        string rootPath = overlay ? OverlayMount.UpperOf(scratchPath) : _mountPath;
        Directory.CreateDirectory(rootPath);
        _lower = new LowerView(parents);
        try
        {
            _root = (UnixLayerRoot)LayerRoot.Open(rootPath);
            _root.Blobs = new MetadataBlobStore([Path.Combine(Path.GetFullPath(scratchPath), MetadataBlobStore.FolderName), .. _lower.BlobFolders]);
            if (!overlay)
            {
                _manifest = ViewManifest.Read(scratchPath);
                foreach (string path in _manifest.Entries.Keys.Where(p => p.Length > 0))
                {
                    string parent = Parent(path);
                    if (!_manifestChildren.TryGetValue(parent, out List<string>? list))
                    {
                        _manifestChildren[parent] = list = [];
                    }

                    list.Add(path);
                }
            }

            if (overlay && _lower.HardLinks.Count > 0)
            {
                FindAliases(string.Empty);
            }

            List<Change> changes = overlay ? VisitUpper(string.Empty, [string.Empty]) : VisitCopy(string.Empty, [string.Empty]);
            if (changes.Count > 0)
            {
                _plan.Add(new Change(string.Empty, ChangeKind.Directory));
                _plan.AddRange(changes);
            }
        }
        catch
        {
            Dispose();
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

        string source = change.Source ?? change.Path;
        LayerFileStatus status = _root.Stat(source)
            ?? (change.Kind == ChangeKind.Directory ? _lower.Find(source)?.Status : null)
            ?? throw new LayerPathException("stat", _root.Describe(source), Win32Error.FileNotFound);
        _currentLink = new LayerLinkInfo(status.NumberOfLinks, status.FileId);
        return change.Kind switch
        {
            ChangeKind.Directory => OpenDirectory(name, source, change.Path, status),
            ChangeKind.SymbolicLink => OpenSymbolicLink(name, source, change.Path, status),
            _ => OpenFile(name, source, change.Path, status),
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
        _root?.Dispose();
        _lower.Dispose();
    }

    /// <summary>
    /// Overlay mode, before the walk: the other names of each changed file that its parent layer hard-linked, which
    /// overlayfs leaves below until they are used themselves; they are the changed file too.
    /// </summary>
    private void FindAliases(string directory)
    {
        foreach (string childName in SortedChildren(directory))
        {
            string path = Join(directory, childName);
            if (_root.Stat(path) is not { } status)
            {
                continue;
            }

            if (status.IsDirectory)
            {
                FindAliases(path);
                continue;
            }

            if (status.Kind != LayerFileKind.File || _lower.Find(path) is not { Status: { Kind: LayerFileKind.File, NumberOfLinks: > 1 } } lower)
            {
                continue;
            }

            foreach (string alias in HardLinkList.NamesOf(_lower.HardLinks, path))
            {
                if (!_aliases.ContainsKey(alias) && StatOrNull(alias) is null && _lower.Find(alias) is { } other && other.Status.FileId == lower.Status.FileId)
                {
                    _aliases[alias] = path;
                    for (string child = alias; child.Length > 0; child = Parent(child))
                    {
                        string parent = Parent(child);
                        if (!_aliasChildren.TryGetValue(parent, out HashSet<string>? names))
                        {
                            _aliasChildren[parent] = names = new HashSet<string>(StringComparer.Ordinal);
                        }

                        names.Add(child[(parent.Length == 0 ? 0 : parent.Length + 1)..]);
                    }
                }
            }
        }
    }

    private LayerFileStatus? StatOrNull(string path)
    {
        try
        {
            return _root.Stat(path);
        }
        catch (LayerPathException)
        {
            return null;
        }
    }

    /// <summary>
    /// Overlay mode: every entry of the upper directory is a change; whiteouts and replaced directories are tombstones.
    /// <paramref name="physical"/> are the upper directories that make up the logical directory (more than one when
    /// a user made <c>WINDOWS/</c> next to <c>Windows/</c>: NTFS merges them).
    /// </summary>
    private List<Change> VisitUpper(string logical, IReadOnlyList<string> physical)
    {
        var tombstones = new List<Change>();
        var changes = new List<Change>();
        var members = new List<Member>();
        foreach (string directory in physical)
        {
            foreach (string childName in SortedChildren(directory))
            {
                string path = Join(directory, childName);
                LayerFileStatus status = StatOrNull(path) ?? throw new LayerPathException("stat", _root.Describe(path), Win32Error.FileNotFound);
                if (status.IsWhiteout)
                {
                    tombstones.Add(new Change(Join(logical, _lower.Spelling(logical, childName) ?? childName), ChangeKind.Tombstone));
                    continue;
                }

                members.Add(new Member(childName, path, status));
            }
        }

        if (_aliasChildren.TryGetValue(logical, out HashSet<string>? aliasNames))
        {
            foreach (string alias in aliasNames)
            {
                if (!members.Any(m => string.Equals(m.Name, alias, StringComparison.OrdinalIgnoreCase)))
                {
                    members.Add(new Member(alias, null, null));
                }
            }
        }

        var deleted = new HashSet<string>(tombstones.Select(t => t.Path), StringComparer.OrdinalIgnoreCase);
        foreach ((string path, List<Member> group) in Group(logical, members, (name, _) => deleted.Contains(Join(logical, name)) ? null : _lower.Spelling(logical, name)))
        {
            LowerEntry? lower = _lower.Find(path);
            Member first = group[0];
            if (first.Status is null)
            {
                // Only below for now: another name of a changed hard-linked file, or a directory above one.
                bool isAlias = _aliases.TryGetValue(path, out string? changed);
                changes.Add(isAlias ? new Change(path, ChangeKind.File, changed) : new Change(path, ChangeKind.Directory));
                if (!isAlias)
                {
                    changes.AddRange(VisitUpper(path, []));
                }

                continue;
            }

            switch (first.Status.Value.Kind)
            {
                case LayerFileKind.Directory:
                    // overlayfs marks every directory it creates opaque; only one at the parents' own spelling replaces theirs.
                    if (lower is { } l && (!l.Status.IsDirectory || group.Any(m => m.Physical is { } d && Join(logical, m.Name) == path && IsOpaque(d))))
                    {
                        tombstones.Add(new Change(path, ChangeKind.Tombstone));
                    }

                    changes.Add(new Change(path, ChangeKind.Directory, first.Physical));
                    changes.AddRange(VisitUpper(path, [.. group.Where(m => m.Physical is not null).Select(m => m.Physical!)]));
                    break;
                case LayerFileKind.File or LayerFileKind.SymbolicLink:
                    if (lower is { Status.IsDirectory: true })
                    {
                        tombstones.Add(new Change(path, ChangeKind.Tombstone));
                    }

                    changes.Add(new Change(path, first.Status.Value.Kind == LayerFileKind.File ? ChangeKind.File : ChangeKind.SymbolicLink, first.Physical));
                    break;
                default:
                    throw new InvalidDataException($"{_root.Describe(first.Physical!)}: only files, directories and symbolic links can be part of a Windows layer.");
            }
        }

        tombstones.Sort((x, y) => Utf8OrdinalComparer.Instance.Compare(x.Path, y.Path));
        tombstones.AddRange(changes);
        return tombstones;
    }

    /// <summary>Copy modes: what differs from the materialized view (of each physical directory making up the logical one).</summary>
    private List<Change> VisitCopy(string logical, IReadOnlyList<string> physical)
    {
        var tombstones = new List<Change>();
        var changes = new List<Change>();
        var members = new List<Member>();
        foreach (string directory in physical)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (string childName in SortedChildren(directory))
            {
                string path = Join(directory, childName);
                LayerFileStatus status = _root.Stat(path) ?? throw new LayerPathException("stat", _root.Describe(path), Win32Error.FileNotFound);
                members.Add(new Member(childName, path, status));
                if (_manifest!.Entries.TryGetValue(path, out ViewEntry? was) && was.Kind == status.Kind)
                {
                    present.Add(path);
                }
            }

            if (_manifestChildren.TryGetValue(directory, out List<string>? before))
            {
                foreach (string path in before.Where(p => !present.Contains(p)))
                {
                    tombstones.Add(new Change(Join(logical, path[(path.LastIndexOf('/') + 1)..]), ChangeKind.Tombstone));
                }
            }
        }

        foreach ((string path, List<Member> group) in Group(logical, members, (_, group) => group.FirstOrDefault(m => _manifest!.Entries.ContainsKey(m.Physical!))?.Name))
        {
            Member first = group[0];
            LayerFileStatus status = first.Status!.Value;
            _manifest!.Entries.TryGetValue(first.Physical!, out ViewEntry? was);
            bool same = was is not null && was.Kind == status.Kind;
            switch (status.Kind)
            {
                case LayerFileKind.Directory:
                    List<Change> below = VisitCopy(path, [.. group.Select(m => m.Physical!)]);
                    if (!same || below.Count > 0)
                    {
                        changes.Add(new Change(path, ChangeKind.Directory, first.Physical));
                        changes.AddRange(below);
                    }

                    break;
                case LayerFileKind.SymbolicLink:
                    if (!same || was!.LinkTarget != _root.ReadSymbolicLink(first.Physical!))
                    {
                        changes.Add(new Change(path, ChangeKind.SymbolicLink, first.Physical));
                    }

                    break;
                case LayerFileKind.File:
                    if (!same || !was!.IsUnchanged(status))
                    {
                        changes.Add(new Change(path, ChangeKind.File, first.Physical));
                    }

                    break;
                default:
                    throw new InvalidDataException($"{_root.Describe(first.Physical!)}: only files, directories and symbolic links can be part of a Windows layer.");
            }
        }

        tombstones.Sort((x, y) => Utf8OrdinalComparer.Instance.Compare(x.Path, y.Path));
        tombstones.AddRange(changes);
        return tombstones;
    }

    /// <summary>
    /// Groups a directory's entries as NTFS sees them, ignoring case, in UTF-8 order of the name each is exported
    /// under: the spelling the parents have (<paramref name="parentSpelling"/>), else the first. Names that differ
    /// only in case may only be directories, which merge; the parents' entry counts while it is not deleted.
    /// </summary>
    /// <exception cref="InvalidDataException">Two entries that are not both directories differ only in case.</exception>
    private List<(string Path, List<Member> Group)> Group(string logical, List<Member> members, Func<string, List<Member>, string?> parentSpelling)
    {
        var groups = new List<(string, List<Member>)>();
        foreach (IGrouping<string, Member> grouping in members.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase))
        {
            List<Member> group = [.. grouping.OrderBy(m => m.Name, Utf8OrdinalComparer.Instance)];
            string? spelling = parentSpelling(group[0].Name, group);
            string name = spelling ?? group[0].Name;
            string path = Join(logical, name);

            // In overlay mode the parents' entry shows beside an upper one of another spelling.
            bool parentBeside = spelling is not null && _manifest is null && !group.Any(m => m.Name == spelling) && _lower.Find(path) is not null;
            if (group.Count > 1 || parentBeside)
            {
                bool allDirectories = group.All(m => m.Status is null or { IsDirectory: true }) && (!parentBeside || _lower.Find(path) is { Status.IsDirectory: true });
                if (!allDirectories)
                {
                    string other = group.Count > 1 ? _root.Describe(group[1].Physical ?? Join(logical, group[1].Name)) : $"the parent layers' {name}";
                    throw new InvalidDataException($"{_root.Describe(group[0].Physical ?? path)} and {other} differ only in case: Windows cannot hold both in one directory; rename or remove one.");
                }

                // The merged directory is read from the member with the parents' spelling when there is one.
                group.Sort((x, y) => (x.Name == name ? 0 : 1).CompareTo(y.Name == name ? 0 : 1));
            }

            groups.Add((path, group));
        }

        groups.Sort((x, y) => Utf8OrdinalComparer.Instance.Compare(x.Item1, y.Item1));
        return groups;
    }

    private List<string> SortedChildren(string directory)
    {
        var names = new List<string>();
        foreach ((string child, _) in _root.List(directory))
        {
            _root.RequireWindowsName(directory, child);
            names.Add(child);
        }

        names.Sort(Utf8OrdinalComparer.Instance);
        return names;
    }

    private bool IsOpaque(string path)
    {
        using SafeFileHandle handle = _root.OpenHandle(path, directory: true);
        return UnixLayerRoot.ReadAttribute(handle, _opaqueAttribute, _root.Describe(path)) is [(byte)'y'];
    }

    private LayerEntry OpenDirectory(string name, string physical, string path, LayerFileStatus status)
    {
        if (StatOrNull(physical) is { IsDirectory: true })
        {
            using SafeFileHandle handle = _root.OpenHandle(physical, directory: true);
            if (_root.GetBasicInfo(handle) is { } own)
            {
                _current = _root.OpenPlainBackupReader(null, handle, includeSecurity: true, _root.Describe(physical));
                return new LayerEntry(name, 0, own);
            }
        }

        if (_lower.Find(path) is { Status.IsDirectory: true } lower)
        {
            using SafeFileHandle handle = lower.Root.OpenHandle(lower.Source, directory: true);
            FileBasicInfo info = lower.Root.GetBasicInfoOrDefault(handle);
            _current = lower.Root.OpenPlainBackupReader(null, handle, includeSecurity: true, lower.Root.Describe(lower.Source));
            return new LayerEntry(name, 0, info);
        }

        _current = Stream.Null;
        return new LayerEntry(name, 0, Defaults(status, FileAttributes.Directory));
    }

    private LayerEntry OpenFile(string name, string physical, string path, LayerFileStatus status)
    {
        FileStream content = _root.OpenFile(physical);
        try
        {
            FileBasicInfo info = Defaults(status, FileAttributes.Archive);
            byte[]? metadata = null;
            if (_root.GetBasicInfo(content.SafeFileHandle) is { } own)
            {
                info = info with { CreationTime = own.CreationTime, FileAttributes = Changed(own.FileAttributes) };
                metadata = _root.GetStreams(content.SafeFileHandle, _root.Describe(physical));
            }
            else if (_lower.Find(path) is { Status.Kind: LayerFileKind.File } lower)
            {
                using SafeFileHandle handle = lower.Root.OpenHandle(lower.Source, directory: false);
                FileBasicInfo parent = lower.Root.GetBasicInfoOrDefault(handle);
                info = info with { CreationTime = parent.CreationTime, FileAttributes = Changed(parent.FileAttributes) };
                metadata = lower.Root.GetStreams(handle, lower.Root.Describe(lower.Source));
            }

            _current = ChangedFileStream.FromMetadata(metadata, content, _root.Describe(physical));
            return new LayerEntry(name, content.Length, info);
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }

    private LayerEntry OpenSymbolicLink(string name, string physical, string path, LayerFileStatus status)
    {
        if (PlainFilesTree.ReadLink(_root, physical) is { } stored)
        {
            _current = new MemoryStream(stored.Streams, writable: false);
            return new LayerEntry(name, 0, stored.Info);
        }

        string target = _root.ReadSymbolicLink(physical);
        string windowsTarget;
        FileAttributes attributes = FileAttributes.ReparsePoint;
        if (target.StartsWith('/'))
        {
            // A link to a path in the mount is a link to the same path in the container's C:\.
            windowsTarget = target.StartsWith(_mountPath + "/", StringComparison.Ordinal) ? @"C:\" + target[(_mountPath.Length + 1)..].Replace('/', '\\') : target;
        }
        else
        {
            windowsTarget = target.Replace('/', '\\');
            if (ResolveInside(Parent(path), target) is { } resolved && IsDirectoryInView(resolved))
            {
                attributes |= FileAttributes.Directory;
            }
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

    private bool IsDirectoryInView(string path) =>
        _root.Stat(path) is { } own ? own.IsDirectory : _manifest is null && _lower.Find(path) is { Status.IsDirectory: true };

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

    private static FileAttributes Changed(FileAttributes attributes) => attributes & ~(FileAttributes.SparseFile | FileAttributes.ReparsePoint);

    private static FileBasicInfo Defaults(LayerFileStatus status, FileAttributes attributes) =>
        new(status.CreationTime, status.LastAccessTime, status.LastWriteTime, status.ChangeTime, attributes);

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    /// <param name="Path">The entry's path below <c>Files/</c>.</param>
    /// <param name="Kind">What changed.</param>
    /// <param name="Source">
    /// Where the entry is read: its path in the upper directory or mount when that differs from <paramref name="Path"/>
    /// (another case), or for another name of a changed hard-linked file, the changed name, whose content it shares.
    /// </param>
    private sealed record Change(string Path, ChangeKind Kind, string? Source = null);

    /// <summary>An entry of a directory being diffed: its name, where it is (<see langword="null"/> for an alias not copied up), its status.</summary>
    private sealed record Member(string Name, string? Physical, LayerFileStatus? Status);
}
