using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ZstdSharp;

namespace WcLayer.Tests.Images;

/// <summary>
/// Writes OCI layouts by hand (independently of the library's writer), so the reader is tested against images it
/// did not make, hostile ones included.
/// </summary>
public sealed class TestImageBuilder
{
    public const string WindowsVersion = "10.0.20348.2340";

    public List<(byte[] Tar, string Compression, bool Foreign, bool OmitBlob)> Layers { get; } = [];

    public string Os { get; set; } = "windows";

    public string OsVersion { get; set; } = WindowsVersion;

    public string? Tag { get; set; } = "1.0";

    public TestImageBuilder Layer(byte[] tar, string compression = "gzip", bool foreign = false, bool omitBlob = false)
    {
        Layers.Add((tar, compression, foreign, omitBlob));
        return this;
    }

    /// <summary>Called with the manifest before it is written; the descriptor list can be made to lie.</summary>
    public Action<JsonObject>? EditManifest { get; set; }

    /// <summary>Called with the config before it is written.</summary>
    public Action<JsonObject>? EditConfig { get; set; }

    /// <summary>Called with each layer blob's bytes before it is written under its (declared) digest.</summary>
    public Func<int, byte[], byte[]>? EditBlob { get; set; }

    /// <summary>Called with index.json before it is written.</summary>
    public Action<JsonObject>? EditIndex { get; set; }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] Compress(byte[] tar, string compression)
    {
        using var output = new MemoryStream();
        switch (compression)
        {
            case "gzip":
                using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(tar);
                }

                break;
            case "zstd":
                using (var zstd = new CompressionStream(output, 3, leaveOpen: true))
                {
                    zstd.Write(tar);
                }

                break;
            default:
                output.Write(tar);
                break;
        }

        return output.ToArray();
    }

    /// <summary>Writes the layout; returns the manifest digest.</summary>
    public string WriteLayout(string folder, string architecture = "amd64")
    {
        Directory.CreateDirectory(Path.Combine(folder, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(folder, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var layers = new JsonArray();
        var diffIds = new JsonArray();
        for (int i = 0; i < Layers.Count; i++)
        {
            (byte[] tar, string compression, bool foreign, bool omit) = Layers[i];
            byte[] blob = Compress(tar, compression);
            string digest = Sha256(blob);
            blob = EditBlob?.Invoke(i, blob) ?? blob;
            string mediaType = (foreign ? "application/vnd.oci.image.layer.nondistributable.v1.tar" : "application/vnd.oci.image.layer.v1.tar")
                + (compression == "none" ? string.Empty : "+" + compression);
            var descriptor = new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = blob.Length };
            if (foreign)
            {
                descriptor["urls"] = new JsonArray("https://mcr.microsoft.com/v2/windows/blobs/" + digest);
            }

            layers.Add(descriptor);
            diffIds.Add(Sha256(tar));
            if (!omit)
            {
                WriteBlob(folder, blob, digest);
            }
        }

        var config = new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = Os,
            ["os.version"] = OsVersion,
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("cmd.exe") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = new JsonArray([.. Layers.Select((_, i) => (JsonNode)new JsonObject { ["created_by"] = $"layer {i}" })]),
        };
        EditConfig?.Invoke(config);
        byte[] configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        string configDigest = WriteBlob(folder, configBytes);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = configBytes.Length },
            ["layers"] = layers,
        };
        EditManifest?.Invoke(manifest);
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        string manifestDigest = WriteBlob(folder, manifestBytes);
        var entry = new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = manifestDigest, ["size"] = manifestBytes.Length };
        if (Tag is not null)
        {
            entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = Tag };
        }

        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = new JsonArray(entry) };
        EditIndex?.Invoke(index);
        File.WriteAllText(Path.Combine(folder, "index.json"), index.ToJsonString());
        return manifestDigest;
    }

    public static string WriteBlob(string folder, byte[] data, string? digest = null)
    {
        digest ??= Sha256(data);
        Directory.CreateDirectory(Path.Combine(folder, "blobs", "sha256"));
        File.WriteAllBytes(Path.Combine(folder, "blobs", "sha256", digest["sha256:".Length..]), data);
        return digest;
    }
}
