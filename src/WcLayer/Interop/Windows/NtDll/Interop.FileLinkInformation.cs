using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary>
        /// The fixed part of <c>FILE_LINK_INFORMATION</c>; the UTF-16 name follows at <see cref="FileName"/>'s offset
        /// (20 on x64, 12 on x86), so the real buffer is built by <c>BuildFileLinkInformation</c>. The first field is
        /// a BOOLEAN <c>ReplaceIfExists</c> (a ULONG <c>Flags</c> in the RS5+ union), padded to the handle's alignment.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileLinkInformation
        {
            internal uint ReplaceIfExistsOrFlags;
            internal nint RootDirectory;
            internal uint FileNameLength;
            internal ushort FileName;
        }

        /// <summary><c>FileLinkInformation</c>, the NT information class that creates a hard link.</summary>
        internal const int FileLinkInformationClass = 11;

        /// <summary>
        /// The variable-length <c>FILE_LINK_INFORMATION</c> for the current process's pointer size: ReplaceIfExists = 0,
        /// the new link's parent directory handle, and its base name (not terminated).
        /// </summary>
        internal static byte[] BuildFileLinkInformation(nint rootDirectory, string fileName) =>
            BuildFileLinkInformation(rootDirectory, fileName, IntPtr.Size);

        /// <summary>The buffer for a given pointer size (4 or 8), so both layouts can be checked anywhere.</summary>
        internal static byte[] BuildFileLinkInformation(nint rootDirectory, string fileName, int pointerSize)
        {
            if (fileName.Length > short.MaxValue)
            {
                throw new PathTooLongException($"a file name has at most 32767 UTF-16 units: {fileName.Length}");
            }

            int nameOffset = pointerSize * 2 + sizeof(uint);
            int fixedSize = (nameOffset + sizeof(char) + pointerSize - 1) / pointerSize * pointerSize;
            int nameBytes = fileName.Length * sizeof(char);
            byte[] buffer = new byte[Math.Max(fixedSize, nameOffset + nameBytes)];
            Span<byte> span = buffer;
            if (pointerSize == 8)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[8..], rootDirectory);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[4..], (int)rootDirectory);
            }

            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[(pointerSize * 2)..], (uint)nameBytes);
            for (int i = 0; i < fileName.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span[(nameOffset + i * 2)..], fileName[i]);
            }

            return buffer;
        }
    }
}
