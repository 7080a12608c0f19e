using System.Text;
using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>Writes into an OCI layout folder: new or existing (an existing one keeps its images; blobs it has are not copied again).</summary>
internal sealed class OciLayoutOutput : ImageOutput
{
    private const string LayoutVersion = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private readonly string _root;
    private readonly string _blobs;
    private readonly string _staged;

    public OciLayoutOutput(string root)
    {
        _root = Path.GetFullPath(root);
        _blobs = Path.Combine(_root, "blobs", "sha256");
        Directory.CreateDirectory(_blobs);
        _staged = Path.Combine(_blobs, $".wclayer-{Guid.NewGuid():N}.tmp");
    }

    public override Stream CreateLayerBlob() =>
        new FileStream(_staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);

    public override void KeepLayerBlob(ImageDescriptor descriptor) => Keep(_staged, descriptor.Digest);

    public override async Task FinishAsync(OciImage baseImage, IReadOnlyList<ImageDescriptor> layers, byte[] config, ImageDescriptor configDescriptor, byte[] manifest, ImageDescriptor manifestDescriptor, string? tag, CancellationToken cancellationToken)
    {
        foreach (ImageDescriptor layer in layers.Take(baseImage.Layers.Count))
        {
            if (File.Exists(BlobFile(layer.Digest)))
            {
                continue;
            }

            Stream? blob = OpenBaseBlob(baseImage, layer);
            if (blob is not null)
            {
                await WriteBlobAsync(blob, layer.Digest, cancellationToken).ConfigureAwait(false);
            }
        }

        await WriteBlobAsync(new MemoryStream(config), configDescriptor.Digest, cancellationToken).ConfigureAwait(false);
        await WriteBlobAsync(new MemoryStream(manifest), manifestDescriptor.Digest, cancellationToken).ConfigureAwait(false);
        string layoutFile = Path.Combine(_root, "oci-layout");
        if (!File.Exists(layoutFile))
        {
            await File.WriteAllTextAsync(layoutFile, LayoutVersion, cancellationToken).ConfigureAwait(false);
        }

        // The index last: until it names the manifest, the new blobs are unreferenced, and a reader sees the old image.
        JsonObject index = ReadIndex();
        JsonArray entries = index["manifests"] as JsonArray ?? [];
        index["manifests"] = entries;
        if (tag is not null)
        {
            foreach (JsonNode? old in entries.Where(e => e?["annotations"]?[ImageDescriptor.RefNameAnnotation]?.GetValue<string>() == tag).ToList())
            {
                entries.Remove(old);
            }
        }

        entries.Add((JsonNode)manifestDescriptor.ToJson());
        string staged = Path.Combine(_root, $".index-{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(staged, Json.Serialize(index), cancellationToken).ConfigureAwait(false);
        File.Move(staged, Path.Combine(_root, "index.json"), overwrite: true);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            File.Delete(_staged);
        }

        base.Dispose(disposing);
    }

    private JsonObject ReadIndex()
    {
        string path = Path.Combine(_root, "index.json");
        return File.Exists(path)
            ? Json.ParseObject(File.ReadAllBytes(path), path)
            : new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = ImageMediaTypes.OciIndex, ["manifests"] = new JsonArray() };
    }

    private string BlobFile(Digest digest) => Path.Combine(_root, "blobs", digest.Algorithm, digest.Encoded);

    private async Task WriteBlobAsync(Stream content, Digest digest, CancellationToken cancellationToken)
    {
        string staged = Path.Combine(_blobs, $".wclayer-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (content.ConfigureAwait(false))
            {
                var file = new FileStream(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
                await using (file.ConfigureAwait(false))
                {
                    await content.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
                }
            }

            Keep(staged, digest);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    private void Keep(string staged, Digest digest)
    {
        string final = BlobFile(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        File.Move(staged, final, overwrite: true);
    }

    internal static byte[] LayoutBytes => Encoding.UTF8.GetBytes(LayoutVersion);
}
