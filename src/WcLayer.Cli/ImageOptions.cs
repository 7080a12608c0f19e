using System.CommandLine;
using WcLayer.Images;

namespace WcLayer.Cli;

/// <summary>The options that pick one image out of a layout or archive, shared by the image commands and <c>ls</c>.</summary>
internal sealed class ImageOptions
{
    public Option<string> Reference { get; } = new("--ref", "-r")
    {
        Description = "Which image: a tag (1.0, myimage:1.0) or a digest (sha256:...); default: the only one.",
    };

    public Option<string> Platform { get; } = new("--platform")
    {
        Description = "Pick from a multi-platform index: os/arch[:os.version], e.g. windows/amd64:10.0.20348 (default: windows/amd64 when several).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Reference);
        command.Options.Add(Platform);
    }

    public ImageSelector Selector(ParseResult parseResult)
    {
        string? platform = parseResult.GetValue(Platform);
        try
        {
            return ImageSelector.For(parseResult.GetValue(Reference), platform is null ? null : ImagePlatform.Parse(platform));
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
