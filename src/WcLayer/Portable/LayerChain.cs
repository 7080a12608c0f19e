using System.Text.Json;

namespace WcLayer.Portable;

/// <summary>
/// <c>layerchain.json</c>, moby's record of a layer's parents: a JSON array of absolute parent folder paths,
/// immediate parent first, base last. A missing file is an empty chain.
/// </summary>
internal static class LayerChain
{
    public const string FileName = "layerchain.json";

    public static IReadOnlyList<string> Read(string layerPath)
    {
        string file = Path.Combine(layerPath, FileName);
        if (!File.Exists(file))
        {
            return [];
        }

        return Parse(File.ReadAllBytes(file), file);
    }

    /// <summary>Reads the chain of a layer open as a root, never through a link.</summary>
    public static IReadOnlyList<string> Read(Transport.LayerRoot layer)
    {
        byte[]? bytes = ((Transport.UnixLayerRoot)layer).ReadSmallFile(FileName, 1 << 20);
        return bytes is null ? [] : Parse(bytes, Path.Combine(layer.FullPath, FileName));
    }

    private static IReadOnlyList<string> Parse(byte[] bytes, string file)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? throw new InvalidDataException($"{file}: a parent path is null."))];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}: the layer chain is malformed: {e.Message}", e);
        }
    }

    public static void Write(string layerPath, IReadOnlyList<string> parents)
    {
        using var stream = new FileStream(Path.Combine(layerPath, FileName), FileMode.Create, FileAccess.Write);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartArray();
        foreach (string parent in parents)
        {
            writer.WriteStringValue(Path.GetFullPath(parent));
        }

        writer.WriteEndArray();
    }
}
