namespace WcLayer.Images;

/// <summary>
/// The security descriptors BuildKit gives files and directories it adds to Windows layers on Linux (moby/buildkit
/// <c>util/winlayers/differ.go</c>; vectors in <c>shared/spec/sd-vectors.md</c>): what a Windows <c>COPY</c> into a
/// folder that inherits the image's defaults ends up with.
/// </summary>
public static class BuildKitSecurity
{
    /// <summary>Directories: <c>O:BAG:SYD:(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;BU)(A;CI;DC;;;BU)</c>.</summary>
    public static ReadOnlyMemory<byte> Directory { get; } = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgCoAAcAAAAAAxgA/wEfAAECAAAAAAAFIAAAACACAAAAAxQA/wEfAAEBAAAAAAAFEgAAAAAAGAD/AR8AAQIAAAAAAAUgAAAAIAIAAAALFAAAAAAQAQEAAAAAAAMAAAAAAAMYAKkAEgABAgAAAAAABSAAAAAhAgAAAAIYAAQAAAABAgAAAAAABSAAAAAhAgAAAAIYAAIAAAABAgAAAAAABSAAAAAhAgAA");

    /// <summary>Files: <c>O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)</c>.</summary>
    public static ReadOnlyMemory<byte> File { get; } = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA==");
}
