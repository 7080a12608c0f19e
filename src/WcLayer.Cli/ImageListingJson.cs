using System.Text.Json.Serialization;

namespace WcLayer.Cli;

/// <summary>Source-generated JSON for the image layer listing (no reflection: the tool can be trimmed).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ImageListingJson : JsonSerializerContext;
