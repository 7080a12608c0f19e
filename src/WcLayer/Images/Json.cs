using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>
/// Reading and writing the image's JSON documents as <see cref="JsonObject"/>s, so fields this library does not know
/// survive a commit untouched (and no reflection is needed, for AOT).
/// </summary>
internal static class Json
{
    /// <summary>Index, manifest and config documents are small; anything larger is not one (or is hostile).</summary>
    public const int MaxDocumentSize = 16 << 20;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    public static JsonNode Parse(ReadOnlySpan<byte> utf8, string what)
    {
        try
        {
            return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64 })
                ?? throw new InvalidDataException($"{what}: the document is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: not valid JSON: {e.Message}", e);
        }
    }

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, string what) =>
        Parse(utf8, what) as JsonObject ?? throw new InvalidDataException($"{what}: expected a JSON object.");

    public static byte[] Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    public static string? String(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    public static string RequiredString(JsonObject json, string name, string what) =>
        String(json, name) ?? throw new InvalidDataException($"{what}: the field '{name}' is missing or not a string.");

    public static JsonArray Array(JsonObject json, string name, string what) => json[name] switch
    {
        JsonArray array => array,
        null => throw new InvalidDataException($"{what}: the field '{name}' is missing."),
        _ => throw new InvalidDataException($"{what}: the field '{name}' is not an array."),
    };

    public static JsonObject Object(JsonNode? node, string what) =>
        node as JsonObject ?? throw new InvalidDataException($"{what}: expected a JSON object.");

    public static string Text(JsonNode node) => Encoding.UTF8.GetString(Serialize(node));
}
