using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>An OCI content descriptor: what a manifest or index says about a blob.</summary>
/// <param name="MediaType">The blob's media type.</param>
/// <param name="Digest">The blob's digest.</param>
/// <param name="Size">The blob's size in bytes.</param>
public sealed record ImageDescriptor(string MediaType, Digest Digest, long Size)
{
    /// <summary>Where a foreign layer's blob can be downloaded (Windows base layers), if anywhere.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>The platform, for an index's entries.</summary>
    public ImagePlatform? Platform { get; init; }

    /// <summary>The annotations (e.g. <c>org.opencontainers.image.ref.name</c>, the tag in an OCI layout).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The annotation that holds an index entry's tag in an OCI layout.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>Reads a descriptor, validating what a hostile document could abuse (the digest names a file).</summary>
    internal static ImageDescriptor FromJson(JsonNode? node, string what)
    {
        JsonObject json = Json.Object(node, what);
        string mediaType = Json.String(json, "mediaType") ?? string.Empty;
        Digest digest;
        try
        {
            digest = Digest.Parse(Json.RequiredString(json, "digest", what));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}", e);
        }

        long size = json["size"] is JsonValue sizeValue && sizeValue.TryGetValue(out long s) && s >= 0
            ? s
            : throw new InvalidDataException($"{what}: the field 'size' is missing or not a non-negative integer.");
        var urls = new List<string>();
        if (json["urls"] is JsonArray urlArray)
        {
            foreach (JsonNode? url in urlArray)
            {
                if (url is JsonValue v && v.TryGetValue(out string? text))
                {
                    urls.Add(text);
                }
            }
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json["annotations"] is JsonObject annotationObject)
        {
            foreach ((string key, JsonNode? value) in annotationObject)
            {
                if (value is JsonValue v && v.TryGetValue(out string? text))
                {
                    annotations[key] = text;
                }
            }
        }

        return new ImageDescriptor(mediaType, digest, size)
        {
            Urls = urls,
            Platform = ImagePlatform.FromJson(json["platform"] as JsonObject),
            Annotations = annotations,
        };
    }

    /// <summary>The descriptor as JSON, in the field order of the spec's examples.</summary>
    internal JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["mediaType"] = MediaType,
            ["digest"] = Digest.ToString(),
            ["size"] = Size,
        };
        if (Urls.Count > 0)
        {
            json["urls"] = new JsonArray([.. Urls.Select(u => (JsonNode)JsonValue.Create(u))]);
        }

        if (Platform is { } platform)
        {
            var p = new JsonObject { ["architecture"] = platform.Architecture, ["os"] = platform.Os };
            if (platform.OsVersion is { } version)
            {
                p["os.version"] = version;
            }

            if (platform.Variant is { } variant)
            {
                p["variant"] = variant;
            }

            json["platform"] = p;
        }

        if (Annotations.Count > 0)
        {
            var a = new JsonObject();
            foreach ((string key, string value) in Annotations.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                a[key] = value;
            }

            json["annotations"] = a;
        }

        return json;
    }
}
