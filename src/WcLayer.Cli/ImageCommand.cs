using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer image …</c>: Windows images (OCI layouts, OCI and docker archives) in and out of a layer store.</summary>
internal static class ImageCommand
{
    public static Command Create(CliConsole console, Option<bool> verbose) =>
        new("image", "Work with whole images: OCI image layout folders, OCI archives and docker save archives.")
        {
            ImageUnpackCommand.Create(console, verbose),
            ImageCommitCommand.Create(console, verbose),
            ImageAppendCommand.Create(console, verbose),
        };
}
