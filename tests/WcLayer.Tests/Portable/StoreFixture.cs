using System.Text;
using WcLayer.Portable;
using WcLayer.Win32;

namespace WcLayer.Tests.Portable;

/// <summary>A temporary store folder and a small language to build layers: directories, files, whiteouts, hard links.</summary>
public sealed class StoreFixture : IDisposable
{
    public static readonly FileBasicInfo DirInfo = new(116444736000000000, 116444736000000000, 116444736000000000, 116444736000000000, FileAttributes.Directory);
    public static readonly FileBasicInfo FileInfo = new(116444736010000000, 116444736020000000, 116444736030000000, 116444736040000000, FileAttributes.Archive);
    public static readonly byte[] FileSecurity = Convert.FromBase64String("AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA==");

    /// <param name="mode">How scratch layers are mounted: overlay (needs root, as in CI) or a copy mode.</param>
    /// <param name="parent">
    /// Where the store's temporary folder goes; <see langword="null"/> for the system's temporary folder, or for the
    /// reflink mode a btrfs loop device of its own (needs root and mkfs.btrfs, as in CI).
    /// </param>
    public StoreFixture(ScratchMode mode = ScratchMode.Auto, string? parent = null)
    {
        if (mode == ScratchMode.Reflink && parent is null)
        {
            _volume = new ReflinkVolume("btrfs");
            parent = _volume.MountPoint;
        }

        Root = parent is null ? Directory.CreateTempSubdirectory("wclayer-store-").FullName : Directory.CreateDirectory(System.IO.Path.Combine(parent, "store")).FullName;
        Mode = mode;
        Store = new PortableLayerStore(new PortableLayerStoreOptions { LockTimeout = TimeSpan.FromSeconds(5), BaseImagesRoot = Root, ScratchMode = mode });
    }

    public ScratchMode Mode { get; }

    public string Root { get; }

    public PortableLayerStore Store { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Root, name);

    /// <summary>Imports a layer. Specs: "d:path" directory, "f:path=content" file, "w:path" whiteout, "l:path=target" hard link.</summary>
    public string Layer(string name, string[] parents, params string[] specs)
    {
        string path = PathOf(name);
        using ILayerWriter writer = Store.NewLayerWriter(path, parents.Select(PathOf).ToList());
        writer.Add("Files", DirInfo);
        foreach (string spec in specs)
        {
            string body = spec[2..];
            int eq = body.IndexOf('=', StringComparison.Ordinal);
            string entry = "Files\\" + (eq < 0 ? body : body[..eq]).Replace('/', '\\');
            string value = eq < 0 ? string.Empty : body[(eq + 1)..];
            switch (spec[0])
            {
                case 'd':
                    writer.Add(entry, DirInfo);
                    break;
                case 'f':
                    writer.Add(entry, FileInfo);
                    writer.Write(FileStream(Encoding.UTF8.GetBytes(value)));
                    break;
                case 'w':
                    writer.Remove(entry);
                    break;
                case 'l':
                    writer.AddLink(entry, "Files\\" + value.Replace('/', '\\'));
                    break;
                default:
                    throw new ArgumentException(spec);
            }
        }

        writer.Commit();
        return path;
    }

    public static byte[] FileStream(byte[] content, params (string Name, byte[] Data)[] streams)
    {
        var output = new MemoryStream();
        using (var w = new BackupStreamWriter(output, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.SecurityData, FileSecurity);
            w.WriteStream(BackupStreamId.Data, content);
            foreach ((string name, byte[] data) in streams)
            {
                w.WriteStream(BackupStreamId.AlternateData, data, ":" + name + ":$DATA");
            }
        }

        return output.ToArray();
    }

    /// <summary>Creates, activates and prepares a scratch layer; returns its mount path.</summary>
    public string Mount(string name, params string[] parents)
    {
        string path = PathOf(name);
        IReadOnlyList<string> chain = parents.Select(PathOf).ToList();
        Store.CreateScratchLayer(path, chain);
        Store.ActivateLayer(path);
        Store.PrepareLayer(path, chain);
        return Store.GetLayerMountPath(path);
    }

    /// <summary>The merged view: relative path → content ("/" for directories, "-> target" for links).</summary>
    public static SortedDictionary<string, string> View(string mount)
    {
        var view = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(mount, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string rel = System.IO.Path.GetRelativePath(mount, entry);
            var info = new System.IO.FileInfo(entry);
            view[rel] = info.LinkTarget is { } target ? "-> " + target
                : Directory.Exists(entry) ? "/"
                : File.ReadAllText(entry);
        }

        return view;
    }

    /// <summary>Unmounts every overlay a test left mounted (whatever the test's outcome), then removes the folder.</summary>
    public void Dispose()
    {
        MountCleanup.UnmountAll(Root);
        Directory.Delete(Root, recursive: true);
        _volume?.Dispose();
    }

    private readonly ReflinkVolume? _volume;
}
