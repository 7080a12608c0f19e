internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>The <c>FILE_INFO_BY_HANDLE_CLASS</c> values the seam uses.</summary>
        internal static class FileInfoClass
        {
            internal const int FileBasicInfo = 0;
            internal const int FileStandardInfo = 1;
            internal const int FileFullDirectoryInfo = 14;
            internal const int FileFullDirectoryRestartInfo = 15;
            internal const int FileIdInfo = 18;
        }
    }
}
