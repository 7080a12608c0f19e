using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Images;

/// <summary>
/// The security descriptors of the entries <c>image append</c> adds: BuildKit's defaults, or what Windows would
/// give them by inheritance from the destination's folders in the base image (folders the base already has keep their
/// own descriptor and metadata).
/// </summary>
internal sealed class AppendSecurity
{
    // The owner and group a Windows build's COPY gets in BuildKit's defaults: BUILTIN\Administrators, SYSTEM.
    private static readonly Sid Owner = Sid.Parse("S-1-5-32-544");
    private static readonly Sid Group = Sid.Parse("S-1-5-18");

    private readonly Dictionary<string, (byte[] Descriptor, FileBasicInfo Info)>? _existing;
    private readonly Dictionary<string, SecurityDescriptor> _folders = new(StringComparer.OrdinalIgnoreCase);

    private AppendSecurity(Dictionary<string, (byte[], FileBasicInfo)>? existing) => _existing = existing;

    public static AppendSecurity BuildKitDefaults { get; } = new(null);

    /// <summary>
    /// Reads the base image's layers, top first, for the destination's folders (<c>Files</c>, <c>Files\app</c>, …):
    /// the descriptor and metadata of each that exists. Needs the layers' blobs.
    /// </summary>
    public static async Task<AppendSecurity> InheritFromAsync(OciImage image, IReadOnlyList<string> destination, ImageReadOptions? options, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Files" };
        string folder = "Files";
        foreach (string component in destination)
        {
            folder += "/" + component;
            wanted.Add(folder);
        }

        var found = new Dictionary<string, (byte[], FileBasicInfo)>(StringComparer.OrdinalIgnoreCase);
        var settled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ImageLayer layer in image.Layers.Reverse())
        {
            if (settled.Count == wanted.Count)
            {
                break;
            }

            using LayerContent content = image.OpenLayer(layer, options);
            var inThisLayer = new List<string>();
            var reader = new LayerTarReader(content.Tar, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    string name = (entry.EntryType == LayerTarEntryType.Whiteout ? entry.WhiteoutTarget! : entry.Name).TrimEnd('/');
                    if (!wanted.Contains(name) || settled.Contains(name))
                    {
                        continue;
                    }

                    // A higher layer decides: a deletion there hides the folder of the layers below.
                    inThisLayer.Add(name);
                    if (entry.EntryType != LayerTarEntryType.Whiteout && entry.SecurityDescriptor is { } descriptor)
                    {
                        found[name.Replace('/', '\\')] = (descriptor, entry.FileInfo);
                    }
                }
            }

            await content.VerifyToEndAsync(cancellationToken).ConfigureAwait(false);
            settled.UnionWith(inThisLayer);
        }

        return new AppendSecurity(found);
    }

    /// <summary>The base image's metadata of a folder it already has, to write it unchanged.</summary>
    public FileBasicInfo? ExistingInfo(string name) =>
        _existing is not null && _existing.TryGetValue(name, out (byte[] Descriptor, FileBasicInfo Info) folder) ? folder.Info : null;

    /// <summary>The descriptor of the entry <paramref name="name"/> (<c>\</c>-separated, e.g. <c>Files\app\a.txt</c>).</summary>
    public ReadOnlySpan<byte> For(string name, bool isFolder)
    {
        int slash = name.LastIndexOf('\\');
        if (_existing is null || slash < 0)
        {
            // BuildKit's defaults; and Hives and Files, which have no parent to inherit from.
            return _existing is not null && _existing.TryGetValue(name, out (byte[] Descriptor, FileBasicInfo) root)
                ? root.Descriptor
                : isFolder ? BuildKitSecurity.Directory.Span : BuildKitSecurity.File.Span;
        }

        if (isFolder && _existing.TryGetValue(name, out (byte[] Descriptor, FileBasicInfo) kept))
        {
            return kept.Descriptor;
        }

        SecurityDescriptor inherited = SecurityInheritance.Inherit(Folder(name[..slash]), isFolder, Owner, Group);
        if (isFolder)
        {
            _folders[name] = inherited;
        }

        return inherited.ToBinary();
    }

    private SecurityDescriptor Folder(string name)
    {
        if (_folders.TryGetValue(name, out SecurityDescriptor? known))
        {
            return known;
        }

        SecurityDescriptor descriptor = SecurityDescriptor.Parse(For(name, isFolder: true));
        _folders[name] = descriptor;
        return descriptor;
    }
}
