using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>
/// Reads a <c>docker save</c> archive's <c>manifest.json</c> (<c>[{"Config", "RepoTags", "Layers", "LayerSources"}]</c>)
/// into an <see cref="OciImage"/> with an equivalent OCI manifest.
/// </summary>
internal static class DockerArchiveReader
{
    private const string Document = "manifest.json";

    public static OciImage Open(ImageSource source, ImageSelector selector)
    {
        JsonNode root = Json.Parse(source.ReadDocument(Document, Document), Document);
        JsonArray entries = root as JsonArray ?? throw new InvalidDataException($"{Document}: expected a JSON array.");
        Digest? wantedId = selector.ReferenceDigest;
        var matches = new List<(JsonObject Entry, string ConfigPath, string? Tag)>();
        foreach (JsonNode? node in entries)
        {
            JsonObject entry = Json.Object(node, $"{Document}: entry");
            string configPath = ImagePath.Normalize(Json.RequiredString(entry, "Config", Document), $"{Document}: Config");
            var tags = entry["RepoTags"] is JsonArray t
                ? t.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToList()
                : [];
            string? tag = selector.Reference is null ? tags.FirstOrDefault() : tags.FirstOrDefault(selector.MatchesTag);
            bool isMatch = selector.Reference is null
                || (wantedId is { } id ? ConfigDigest(configPath) == id : tag is not null);
            if (isMatch)
            {
                matches.Add((entry, configPath, tag));
            }
        }

        if (matches.Count != 1)
        {
            throw new InvalidDataException(matches.Count == 0
                ? $"{source.Name}: no image in {Document}{(selector.Reference is null ? string.Empty : " matches " + selector.Reference)}."
                : $"{source.Name}: {matches.Count} images in {Document}; choose one with a tag or its id (sha256:…).");
        }

        (JsonObject selected, string config, string? selectedTag) = matches[0];
        return Read(source, selected, config, selectedTag);
    }

    private static OciImage Read(ImageSource source, JsonObject entry, string configPath, string? tag)
    {
        byte[] configBytes = source.ReadDocument(configPath, $"{Document}: Config");
        Digest configDigest = Digest.ComputeSha256(configBytes);
        if (ConfigDigest(configPath) is { } named)
        {
            OciImage.CheckDigest(configBytes, named, $"config {configPath}");
        }

        JsonObject config = Json.ParseObject(configBytes, $"config {configPath}");
        IReadOnlyList<Digest> diffIds = OciImage.DiffIds(config, configDigest);
        JsonArray layerPaths = Json.Array(entry, "Layers", Document);
        if (layerPaths.Count != diffIds.Count)
        {
            throw new InvalidDataException($"{Document}: {layerPaths.Count} layers, but the config has {diffIds.Count} diff_ids.");
        }

        JsonObject? sources = entry["LayerSources"] as JsonObject;
        var layers = new List<ImageLayer>(layerPaths.Count);
        for (int i = 0; i < layerPaths.Count; i++)
        {
            string what = $"{Document}: layer {i}";
            string path = ImagePath.Normalize(layerPaths[i] is JsonValue v && v.TryGetValue(out string? s) ? s : null, what);
            ImageDescriptor? recorded = sources?[diffIds[i].ToString()] is JsonObject d ? ImageDescriptor.FromJson(d, $"{Document}: LayerSources") : null;
            layers.Add(Layer(source, i, path, diffIds[i], recorded));
        }

        var configDescriptor = new ImageDescriptor(ImageMediaTypes.OciConfig, configDigest, configBytes.Length);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ImageMediaTypes.OciManifest,
            ["config"] = configDescriptor.ToJson(),
            ["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)l.Descriptor.ToJson())]),
        };
        return OciImage.Create(source, ImageFormat.DockerArchive, manifest, config, configDescriptor, layers, tag);
    }

    private static ImageLayer Layer(ImageSource source, int index, string path, Digest diffId, ImageDescriptor? recorded)
    {
        if (!source.TryGetLength(path, out long length))
        {
            // Docker leaves a foreign layer's file out and describes it in LayerSources.
            return recorded is not null
                ? new ImageLayer(index, recorded with { MediaType = ImageMediaTypes.ToOciLayer(recorded.MediaType) }, diffId)
                : throw new InvalidDataException($"{Document}: layer {index} ('{path}') is not in the archive {source.Name}.");
        }

        if (recorded is not null)
        {
            return new ImageLayer(index, recorded with { MediaType = ImageMediaTypes.ToOciLayer(recorded.MediaType) }, diffId) { BlobPath = path };
        }

        if (ConfigDigest(path) is { } named)
        {
            using Stream namedBlob = source.Open(path);
            string mediaType = LayerDecompression.MediaType(LayerDecompression.Detect(namedBlob));
            return new ImageLayer(index, new ImageDescriptor(mediaType, named, length), diffId) { BlobPath = path };
        }

        using Stream blob = source.Open(path);
        LayerCompression compression = LayerDecompression.Detect(blob);
        if (compression == LayerCompression.None)
        {
            // The classic layout ("<id>/layer.tar"): the blob is the tar, so its digest is the diff_id, checked on read.
            return new ImageLayer(index, new ImageDescriptor(ImageMediaTypes.OciLayer, diffId, length), diffId) { BlobPath = path, VerifyBlob = false };
        }

        // A compressed file not named by its digest: the digest is whatever the file hashes to.
        using var hash = diffId.CreateHash();
        byte[] buffer = new byte[1 << 16];
        int read;
        while ((read = blob.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
        }

        return new ImageLayer(index, new ImageDescriptor(LayerDecompression.MediaType(compression), diffId.WithHash(hash.GetHashAndReset()), length), diffId) { BlobPath = path };
    }

    /// <summary>The digest a docker archive file is named by: <c>blobs/sha256/&lt;hex&gt;</c> (Docker 25+) or <c>&lt;hex&gt;.json</c>/<c>&lt;hex&gt;.tar</c>.</summary>
    private static Digest? ConfigDigest(string path)
    {
        string[] parts = path.Split('/');
        if (parts.Length == 3 && parts[0] == "blobs" && Digest.TryParse($"{parts[1]}:{parts[2]}", out Digest blob))
        {
            return blob;
        }

        string name = Path.GetFileNameWithoutExtension(parts[^1]);
        return parts.Length == 1 && Digest.TryParse("sha256:" + name, out Digest named) ? named : null;
    }
}
