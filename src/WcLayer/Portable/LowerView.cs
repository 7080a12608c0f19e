using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// What a scratch layer's parents show at a path, as overlayfs merges them: the topmost parent that has the path
/// wins, unless a higher parent deleted it (a whiteout, or a tombstone in <c>tombstones.txt</c> for layers written
/// without root, which have no whiteouts). Used by the diff to tell a change from an addition and to take a replaced
/// file's metadata from its parent.
/// </summary>
internal sealed class LowerView : IDisposable
{
    private readonly UnixLayerRoot[] _roots;
    private readonly HashSet<string>?[] _tombstones;
    private Dictionary<string, List<string>>? _hardLinks;
    private readonly Dictionary<string, Dictionary<string, string>> _spellings = new(StringComparer.Ordinal);

    public LowerView(IReadOnlyList<string> parents)
    {
        _roots = new UnixLayerRoot[parents.Count];
        _tombstones = new HashSet<string>?[parents.Count];
        try
        {
            for (int i = 0; i < parents.Count; i++)
            {
                _roots[i] = (UnixLayerRoot)LayerRoot.Open(parents[i]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The parents' blob folders, where metadata spilled by their entries is found.</summary>
    public IEnumerable<string> BlobFolders => _roots.Select(r => Path.Combine(r.FullPath, MetadataBlobStore.FolderName));

    /// <summary>The entry the parents show at a path below <c>Files/</c> (<c>/</c> separators; empty for the root), or <see langword="null"/>.</summary>
    public LowerEntry? Find(string path)
    {
        string source = path.Length == 0 ? TransportPath.Files : TransportPath.Files + "/" + path;
        for (int i = 0; i < _roots.Length; i++)
        {
            LayerFileStatus? status;
            try
            {
                status = _roots[i].Stat(source);
            }
            catch (LayerPathException)
            {
                // A link or file on the way: nothing below it in this layer.
                status = null;
            }

            if (status is { IsWhiteout: true })
            {
                return null;
            }

            if (status is { } found)
            {
                return new LowerEntry(_roots[i], source, found);
            }

            if (Deletes(i, path))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The names the parents' imports linked together (<see cref="HardLinkList"/>), as a graph.</summary>
    public Dictionary<string, List<string>> HardLinks
    {
        get
        {
            if (_hardLinks is null)
            {
                _hardLinks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                foreach (UnixLayerRoot root in _roots)
                {
                    HardLinkList.ReadInto(root.FullPath, _hardLinks);
                }
            }

            return _hardLinks;
        }
    }

    /// <summary>The spelling the parents give a name in a directory (<c>/</c> separators), ignoring case; <see langword="null"/> if none has it.</summary>
    public string? Spelling(string directory, string name)
    {
        if (!_spellings.TryGetValue(directory, out Dictionary<string, string>? names))
        {
            names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string source = directory.Length == 0 ? TransportPath.Files : TransportPath.Files + "/" + directory;
            foreach (UnixLayerRoot root in _roots)
            {
                try
                {
                    if (root.Stat(source) is { IsDirectory: true })
                    {
                        foreach ((string child, _) in root.List(source))
                        {
                            names.TryAdd(child, child);
                        }
                    }
                }
                catch (LayerPathException)
                {
                    // A link or file on the way: nothing there in this layer.
                }
            }

            _spellings[directory] = names;
        }

        return names.TryGetValue(name, out string? spelling) ? spelling : null;
    }

    public void Dispose()
    {
        foreach (UnixLayerRoot? root in _roots)
        {
            root?.Dispose();
        }
    }

    private bool Deletes(int layer, string path)
    {
        HashSet<string> tombstones = _tombstones[layer] ??= new HashSet<string>(CopyView.ReadTombstones(_roots[layer]), StringComparer.Ordinal);
        if (tombstones.Count == 0)
        {
            return false;
        }

        for (string current = path; current.Length > 0; current = current.LastIndexOf('/') is int slash and >= 0 ? current[..slash] : string.Empty)
        {
            if (tombstones.Contains(current))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>An entry of a parent layer: its layer's root, its path there, its status.</summary>
internal readonly record struct LowerEntry(UnixLayerRoot Root, string Source, LayerFileStatus Status);
