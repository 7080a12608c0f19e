using System.Text.Json;

namespace WcLayer.Portable;

/// <summary>
/// <c>wclayer.json</c>, the marker that makes a folder a layer of the portable store, with the state HCS would keep
/// for it (activation of scratch layers, base-layer processing). Written atomically (temporary file, then rename).
/// </summary>
internal sealed record LayerMetadata
{
    public const string FileName = "wclayer.json";
    private const string Format = "wclayer-portable-layer";
    private const int Version = 2;

    public LayerKind Kind { get; init; }

    public bool Activated { get; init; }

    public bool Prepared { get; init; }

    public bool Materialized { get; init; }

    /// <summary>A scratch layer's mode, decided by its first prepare; <see langword="null"/> before.</summary>
    public ScratchMode? Mode { get; init; }

    /// <summary>
    /// A read-only layer's deletions are mirrored as overlay whiteouts and <c>trusted.overlay.opaque</c> marks, and its
    /// links carry their metadata (written by root of the machine's user namespace): an overlay can stack it.
    /// </summary>
    public bool Stackable { get; init; }

    /// <summary>
    /// A read-only layer's deletions are mirrored as whiteouts and <c>user.overlay.opaque</c> marks: an overlay
    /// mounted with <c>userxattr</c> (in a user namespace) can stack it. Root writes both kinds of mark.
    /// </summary>
    public bool StackableWithUserXattr { get; init; }

    /// <summary>A scratch layer in overlay mode whose overlay is mounted with <c>userxattr</c> (its upper directory's marks are <c>user.overlay.*</c>).</summary>
    public bool OverlayUserXattr { get; init; }

    public bool BaseLayerProcessed { get; init; }

    public bool UtilityVMProcessed { get; init; }

    /// <summary>Reads a folder's metadata; <see langword="null"/> if the folder is not a layer.</summary>
    public static LayerMetadata? TryRead(string layerPath)
    {
        string file = Path.Combine(layerPath, FileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(bytes, file);
    }

    /// <summary>Whether the content of a <c>wclayer.json</c> carries this store's format marker, whatever its version and state.</summary>
    public static bool IsMarker(byte[] bytes)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out JsonElement format)
                && format.ValueKind == JsonValueKind.String && format.GetString() == Format;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Parses the content of a <c>wclayer.json</c>; <see langword="null"/> if it is not this store's marker.</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="file">The file's path, for messages.</param>
    public static LayerMetadata? Parse(byte[] bytes, string file)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("format", out JsonElement format) || format.GetString() != Format)
            {
                return null;
            }

            int version = root.GetProperty("version").GetInt32();
            if (version == 1)
            {
                throw new InvalidDataException($"{file}: the layer is in the portable store's format 1 (files kept in the HCS transport format), which this version no longer reads; export it with the WcLayer that made it and import it again (or delete it and re-import from its image).");
            }

            if (version != Version)
            {
                throw new InvalidDataException($"{file}: layer format version {version} is not supported (expected {Version}).");
            }

            return new LayerMetadata
            {
                Kind = root.GetProperty("kind").GetString() == "scratch" ? LayerKind.Scratch : LayerKind.ReadOnly,
                Activated = Flag(root, "activated"),
                Prepared = Flag(root, "prepared"),
                Materialized = Flag(root, "materialized"),
                Mode = root.TryGetProperty("mode", out JsonElement mode) && Enum.TryParse(mode.GetString(), ignoreCase: true, out ScratchMode m) ? m : null,
                Stackable = Flag(root, "stackable"),
                StackableWithUserXattr = Flag(root, "stackableWithUserXattr"),
                OverlayUserXattr = Flag(root, "overlayUserXattr"),
                BaseLayerProcessed = Flag(root, "baseLayerProcessed"),
                UtilityVMProcessed = Flag(root, "utilityVMProcessed"),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}: the layer metadata is malformed: {e.Message}", e);
        }
    }

    public void Write(string layerPath)
    {
        string file = Path.Combine(layerPath, FileName);
        string temporary = file + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteString("kind", Kind == LayerKind.Scratch ? "scratch" : "layer");
            writer.WriteBoolean("activated", Activated);
            writer.WriteBoolean("prepared", Prepared);
            writer.WriteBoolean("materialized", Materialized);
            if (Mode is { } mode)
            {
                writer.WriteString("mode", mode.ToString().ToLowerInvariant());
            }

            writer.WriteBoolean("stackable", Stackable);
            writer.WriteBoolean("stackableWithUserXattr", StackableWithUserXattr);
            if (OverlayUserXattr)
            {
                writer.WriteBoolean("overlayUserXattr", OverlayUserXattr);
            }

            writer.WriteBoolean("baseLayerProcessed", BaseLayerProcessed);
            writer.WriteBoolean("utilityVMProcessed", UtilityVMProcessed);
            writer.WriteEndObject();
        }

        File.Move(temporary, file, overwrite: true);
    }

    private static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
