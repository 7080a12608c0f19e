using System.Diagnostics;
using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>
/// An image opened from an OCI layout folder, an OCI archive or a <c>docker save</c> archive: its manifest, config
/// and layers, every document verified against its digest. Layers are read on demand with
/// <see cref="OpenLayer"/>, verified as they stream.
/// </summary>
public sealed class OciImage : IDisposable
{
    private const int MaxIndexDepth = 4;

    private OciImage(ImageSource source, ImageFormat format, JsonObject manifest, ImageDescriptor? manifestDescriptor, JsonObject config, ImageDescriptor configDescriptor, IReadOnlyList<ImageLayer> layers, string? tag)
    {
        Source = source;
        Format = format;
        ManifestJson = manifest;
        ManifestDescriptor = manifestDescriptor;
        ConfigJson = config;
        ConfigDescriptor = configDescriptor;
        Layers = layers;
        Tag = tag;
        Platform = ImagePlatform.FromJson(config) ?? manifestDescriptor?.Platform;
    }

    /// <summary>The folder or archive the image was read from.</summary>
    public string Location => Source.Name;

    /// <summary>How the image is stored.</summary>
    public ImageFormat Format { get; }

    /// <summary>The manifest's descriptor (<see langword="null"/> for a docker archive, which has no manifest blob).</summary>
    public ImageDescriptor? ManifestDescriptor { get; }

    /// <summary>The config's descriptor.</summary>
    public ImageDescriptor ConfigDescriptor { get; }

    /// <summary>The image's platform from its config (<c>os</c>, <c>architecture</c>, <c>os.version</c>).</summary>
    public ImagePlatform? Platform { get; }

    /// <summary>The tag the image was selected by or recorded with, if any.</summary>
    public string? Tag { get; }

    /// <summary>The layers, base layer first.</summary>
    public IReadOnlyList<ImageLayer> Layers { get; }

    /// <summary>A copy of the config document.</summary>
    public JsonObject Config => (JsonObject)ConfigJson.DeepClone();

    internal ImageSource Source { get; }

    internal JsonObject ManifestJson { get; }

    internal JsonObject ConfigJson { get; }

    /// <summary>Opens an image.</summary>
    /// <param name="path">An OCI layout folder, an OCI archive or a docker archive (detected).</param>
    /// <param name="selector">Which image, when there are several; <see langword="null"/> for the only one.</param>
    /// <param name="cancellationToken">Cancels indexing an archive.</param>
    /// <returns>The image; dispose it.</returns>
    /// <exception cref="InvalidDataException">The image is malformed, a document does not match its digest, or the selection is ambiguous or empty.</exception>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    public static Task<OciImage> OpenAsync(string path, ImageSelector? selector = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        selector ??= new ImageSelector();
        return Task.Run(
            () =>
            {
                using Activity? activity = WcLayerActivitySource.Source.StartActivity("OpenImage");
                activity?.SetTag("path", path);
                ImageSource source = ImageSource.Open(path, cancellationToken);
                try
                {
                    return Open(source, selector);
                }
                catch
                {
                    source.Dispose();
                    throw;
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// Opens a layer's uncompressed tar (gzip, zstd or plain, recognized by its bytes), verified as it is read: the
    /// blob's digest and size, the <c>diff_id</c>, and the expansion limits of <paramref name="options"/>.
    /// </summary>
    /// <param name="layer">One of <see cref="Layers"/>.</param>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    /// <returns>The content; dispose it.</returns>
    /// <exception cref="InvalidDataException">The blob is absent (a foreign layer not carried by the image, or a broken image).</exception>
    public LayerContent OpenLayer(ImageLayer layer, ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        options ??= new ImageReadOptions();
        if (layer.BlobPath is null)
        {
            string where = layer.Descriptor.Urls.Count > 0 ? $" (its URLs: {string.Join(", ", layer.Descriptor.Urls)})" : string.Empty;
            throw new InvalidDataException(layer.IsForeign
                ? $"{layer}: a foreign layer whose blob {layer.Descriptor.Digest} is not in the image{where}; get the blob (e.g. skopeo copy with --dest-oci-accept-uncompressed-layers or a pull on Windows) to unpack it."
                : $"{layer}: the blob {layer.Descriptor.Digest} named by the manifest is not in the image {Location}.");
        }

        Stream raw = Source.Open(layer.BlobPath);
        try
        {
            LayerCompression compression = LayerDecompression.Detect(raw);
            VerifyingReadStream? blob = layer.VerifyBlob
                ? new VerifyingReadStream(raw, layer.Descriptor.Digest, layer.Descriptor.Size, $"{layer}: blob {layer.Descriptor.Digest}")
                : null;
            Stream compressed = blob ?? raw;
            Stream tar = LayerDecompression.Decompress(compressed, compression);
            if (compression != LayerCompression.None)
            {
                VerifyingReadStream? counter = blob;
                long CompressedRead() => counter?.BytesRead ?? long.MaxValue;
                tar = new ExpansionLimitStream(tar, CompressedRead, options, layer.ToString());
            }

            return new LayerContent(new VerifyingReadStream(tar, layer.DiffId, expectedSize: null, $"{layer}: diff_id"), blob);
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Source.Dispose();

    private static OciImage Open(ImageSource source, ImageSelector selector)
    {
        bool isFolder = source is LayoutFolderSource;
        if (source.TryGetLength("index.json", out _))
        {
            return OpenOci(source, selector, isFolder ? ImageFormat.OciLayout : ImageFormat.OciArchive);
        }

        if (source.TryGetLength("manifest.json", out _))
        {
            return DockerArchiveReader.Open(source, selector);
        }

        throw new InvalidDataException($"{source.Name}: not an image: no index.json (OCI layout) nor manifest.json (docker archive).");
    }

    private static OciImage OpenOci(ImageSource source, ImageSelector selector, ImageFormat format)
    {
        JsonObject index = Json.ParseObject(source.ReadDocument("index.json", "index.json"), "index.json");
        var candidates = new List<(ImageDescriptor Descriptor, string? Tag)>();
        Digest? wanted = selector.ReferenceDigest;
        foreach (JsonNode? node in Json.Array(index, "manifests", "index.json"))
        {
            ImageDescriptor top = ImageDescriptor.FromJson(node, "index.json: manifests");
            string? tag = top.Annotations.GetValueOrDefault(ImageDescriptor.RefNameAnnotation)
                ?? top.Annotations.GetValueOrDefault("io.containerd.image.name");
            bool refMatches = selector.Reference is null
                || (wanted is { } d ? top.Digest == d : tag is not null && selector.MatchesTag(tag));
            Expand(source, top, tag, refMatches, wanted, candidates, depth: 0);
        }

        (ImageDescriptor manifest, string? selectedTag) = Choose(source, selector, candidates);
        JsonObject manifestJson = Json.ParseObject(ReadVerified(source, manifest, "manifest"), $"manifest {manifest.Digest}");
        ImageDescriptor config = ImageDescriptor.FromJson(manifestJson["config"], $"manifest {manifest.Digest}: config");
        JsonObject configJson = Json.ParseObject(ReadVerified(source, config, "config"), $"config {config.Digest}");
        IReadOnlyList<Digest> diffIds = DiffIds(configJson, config.Digest);
        JsonArray layerArray = Json.Array(manifestJson, "layers", $"manifest {manifest.Digest}");
        if (layerArray.Count != diffIds.Count)
        {
            throw new InvalidDataException($"manifest {manifest.Digest}: {layerArray.Count} layers, but its config has {diffIds.Count} diff_ids.");
        }

        var layers = new List<ImageLayer>(layerArray.Count);
        for (int i = 0; i < layerArray.Count; i++)
        {
            ImageDescriptor descriptor = ImageDescriptor.FromJson(layerArray[i], $"manifest {manifest.Digest}: layer {i}");
            if (!ImageMediaTypes.IsLayer(descriptor.MediaType))
            {
                throw new InvalidDataException($"manifest {manifest.Digest}: layer {i} has the media type '{descriptor.MediaType}', not a layer this library reads.");
            }

            string? blobPath = source.TryGetLength(descriptor.Digest.BlobPath, out _) ? descriptor.Digest.BlobPath : null;
            layers.Add(new ImageLayer(i, descriptor, diffIds[i]) { BlobPath = blobPath });
        }

        return new OciImage(source, format, manifestJson, manifest, configJson, config, layers, selectedTag);
    }

    /// <summary>Collects the manifests under an index entry (nested indexes, as multi-platform images have).</summary>
    private static void Expand(ImageSource source, ImageDescriptor descriptor, string? tag, bool refMatches, Digest? wanted, List<(ImageDescriptor, string?)> candidates, int depth)
    {
        refMatches |= wanted is { } d && descriptor.Digest == d;
        if (ImageMediaTypes.IsIndex(descriptor.MediaType))
        {
            if (depth >= MaxIndexDepth)
            {
                throw new InvalidDataException($"index {descriptor.Digest}: indexes nested more than {MaxIndexDepth} deep.");
            }

            JsonObject nested = Json.ParseObject(ReadVerified(source, descriptor, "index"), $"index {descriptor.Digest}");
            foreach (JsonNode? node in Json.Array(nested, "manifests", $"index {descriptor.Digest}"))
            {
                Expand(source, ImageDescriptor.FromJson(node, $"index {descriptor.Digest}: manifests"), tag, refMatches, wanted, candidates, depth + 1);
            }
        }
        else if (refMatches && ImageMediaTypes.IsManifest(descriptor.MediaType))
        {
            candidates.Add((descriptor, tag));
        }
    }

    private static (ImageDescriptor, string?) Choose(ImageSource source, ImageSelector selector, List<(ImageDescriptor Descriptor, string? Tag)> candidates)
    {
        string what = selector.Reference is null ? source.Name : $"{source.Name} ({selector.Reference})";
        if (candidates.Count == 0)
        {
            throw new InvalidDataException($"{what}: no image manifest {(selector.Reference is null ? "in the index" : "matches the reference")}.");
        }

        // A platform given in the index decides; else the config's (single-platform layouts often omit it).
        var withPlatforms = candidates.Select(c => (c.Descriptor, c.Tag, Platform: c.Descriptor.Platform ?? ConfigPlatform(source, c.Descriptor))).ToList();
        var matching = selector.Platform is { } wantedPlatform
            ? withPlatforms.Where(c => c.Platform is { } p && wantedPlatform.Accepts(p)).ToList()
            : withPlatforms.Count == 1 ? withPlatforms : withPlatforms.Where(c => c.Platform is { } p && ImagePlatform.WindowsAmd64.Accepts(p)).ToList();
        var distinct = matching.DistinctBy(c => c.Descriptor.Digest).ToList();
        if (distinct.Count == 1)
        {
            return (distinct[0].Descriptor, distinct[0].Tag);
        }

        string list = string.Join("; ", withPlatforms.Select(c => $"{c.Descriptor.Digest} {c.Platform?.ToString() ?? "(no platform)"}{(c.Tag is null ? string.Empty : " " + c.Tag)}"));
        throw new InvalidDataException(distinct.Count == 0
            ? $"{what}: no image for the platform {selector.Platform?.ToString() ?? ImagePlatform.WindowsAmd64.ToString()}; the image has: {list}."
            : $"{what}: {distinct.Count} images match; choose one with a tag, a digest or a platform with its os.version (e.g. windows/amd64:10.0.20348). The image has: {list}.");
    }

    private static ImagePlatform? ConfigPlatform(ImageSource source, ImageDescriptor manifest)
    {
        JsonObject manifestJson = Json.ParseObject(ReadVerified(source, manifest, "manifest"), $"manifest {manifest.Digest}");
        ImageDescriptor config = ImageDescriptor.FromJson(manifestJson["config"], $"manifest {manifest.Digest}: config");
        return ImagePlatform.FromJson(Json.ParseObject(ReadVerified(source, config, "config"), $"config {config.Digest}"));
    }

    /// <summary>Reads a document blob and checks its size and digest.</summary>
    internal static byte[] ReadVerified(ImageSource source, ImageDescriptor descriptor, string kind)
    {
        string what = $"{kind} {descriptor.Digest}";
        byte[] bytes = source.ReadDocument(descriptor.Digest.BlobPath, what);
        if (bytes.Length != descriptor.Size)
        {
            throw new InvalidDataException($"{what}: {bytes.Length} bytes, but its descriptor gives {descriptor.Size}.");
        }

        CheckDigest(bytes, descriptor.Digest, what);
        return bytes;
    }

    internal static void CheckDigest(ReadOnlySpan<byte> bytes, Digest expected, string what)
    {
        using var hash = expected.CreateHash();
        hash.AppendData(bytes);
        Digest actual = expected.WithHash(hash.GetHashAndReset());
        if (actual != expected)
        {
            throw new InvalidDataException($"{what}: the content's digest is {actual}, not {expected}: the image is corrupt or was tampered with.");
        }
    }

    internal static IReadOnlyList<Digest> DiffIds(JsonObject config, Digest configDigest)
    {
        string what = $"config {configDigest}";
        JsonObject rootfs = Json.Object(config["rootfs"], $"{what}: rootfs");
        JsonArray array = Json.Array(rootfs, "diff_ids", $"{what}: rootfs");
        var diffIds = new List<Digest>(array.Count);
        foreach (JsonNode? node in array)
        {
            string? text = node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            if (!Digest.TryParse(text, out Digest diffId))
            {
                throw new InvalidDataException($"{what}: rootfs.diff_ids has '{text}', not a digest.");
            }

            diffIds.Add(diffId);
        }

        return diffIds;
    }

    /// <summary>Builds an image read by another reader (docker archives).</summary>
    internal static OciImage Create(ImageSource source, ImageFormat format, JsonObject manifest, JsonObject config, ImageDescriptor configDescriptor, IReadOnlyList<ImageLayer> layers, string? tag) =>
        new(source, format, manifest, null, config, configDescriptor, layers, tag);
}
