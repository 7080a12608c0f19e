using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// A <see cref="TransportLayerWriter"/> (with <c>Files\</c> kept as a plain tree) writing into a hidden sibling of the layer folder; <see cref="Commit"/> adds
/// the layer chain and metadata and renames the folder into place, disposing without a commit removes it. The layer's
/// lock is held throughout.
/// </summary>
internal sealed class PortableLayerWriter : ILayerWriter, IMutatedFileBackupSink
{
    private static readonly HashSet<string> BackupNames = new(StringComparer.Ordinal) { "bcd.bak", "bcd.log.bak", "bcd.log1.bak", "bcd.log2.bak" };

    private readonly string _path;
    private readonly string _folder;
    private readonly IReadOnlyList<string> _parents;
    private readonly IDisposable _lock;
    private readonly string _operation;
    private readonly TransportLayerWriter _writer;
    private readonly List<(string Name, string Target)> _links = [];
    private bool _done;

    public PortableLayerWriter(string path, string folder, IReadOnlyList<string> parents, IDisposable layerLock, string operation)
    {
        _path = path;
        _folder = folder;
        _parents = parents;
        _lock = layerLock;
        _operation = operation;
        // Before the writer opens the folder, so that its root spills large metadata into the layer's blobs.
        Directory.CreateDirectory(Path.Combine(folder, MetadataBlobStore.FolderName));
        _writer = new TransportLayerWriter(folder, parents, folder, new TransportLayerWriterOptions { ImportFolderIsLayer = true, FilesArePlain = true });
    }

    public void Add(string name, Win32.FileBasicInfo info)
    {
        try
        {
            _writer.Add(name, info);
        }
        catch (LayerPathException e)
        {
            throw e.Relocated(_folder, _path);
        }
    }

    public void AddLink(string name, string target)
    {
        try
        {
            _writer.AddLink(name, target);
        }
        catch (LayerPathException e)
        {
            throw e.Relocated(_folder, _path);
        }

        string cleanName = TransportPath.Clean(name);
        if (TransportPath.HasPrefix(cleanName, TransportPath.Files))
        {
            _links.Add((cleanName, TransportPath.Clean(target)));
        }
    }

    public void Remove(string name)
    {
        try
        {
            _writer.Remove(name);
        }
        catch (LayerPathException e)
        {
            throw e.Relocated(_folder, _path);
        }
    }

    public void Write(ReadOnlySpan<byte> backupStreamBytes)
    {
        try
        {
            _writer.Write(backupStreamBytes);
        }
        catch (LayerPathException e)
        {
            throw e.Relocated(_folder, _path);
        }
    }

    public Stream OpenMutatedFileBackup(string name)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        return BackupNames.Contains(name)
            ? new FileStream(Path.Combine(_folder, name), FileMode.Create, FileAccess.Write)
            : throw new ArgumentException($"'{name}' is not one of hcsshim's BCD backup files.", nameof(name));
    }

    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        try
        {
            try
            {
                _writer.Commit();
            }
            catch (LayerPathException e)
            {
                throw e.Relocated(_folder, _path);
            }

            _writer.Dispose();
            LayerChain.Write(_folder, _parents);
            HardLinkList.Write(_folder, _links);
            string blobs = Path.Combine(_folder, MetadataBlobStore.FolderName);
            if (!Directory.EnumerateFileSystemEntries(blobs).Any())
            {
                Directory.Delete(blobs);
            }

            new LayerMetadata { Kind = LayerKind.ReadOnly, Stackable = PlainFilesTree.CanWriteTrusted, StackableWithUserXattr = PlainFilesTree.CanStack }.Write(_folder);
            PortableLayerStore.PublishFolder(_folder, _path, _operation);
            _done = true;
        }
        finally
        {
            if (_done)
            {
                _lock.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        try
        {
            try
            {
                _writer.Dispose();
            }
            finally
            {
                LayerRemoval.RemoveOwnFolder(_folder);
            }
        }
        finally
        {
            _lock.Dispose();
        }
    }
}
