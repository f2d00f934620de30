# The QEMU command line shared by the firmware's test scripts: semihosting console on stdout.
# Sets fw_qemu_command from QEMU, MACHINE, CPU (optional; empty: the machine's own) and ELF.
set(fw_qemu_command ${QEMU} -M ${MACHINE})
if(CPU)
  list(APPEND fw_qemu_command -cpu ${CPU})
endif()
if(MACHINE STREQUAL "virt")
  # virt would start OpenSBI and hand it the image; on the part the firmware is all there is.
  list(APPEND fw_qemu_command -bios none)
endif()
list(APPEND fw_qemu_command -display none -monitor none -serial none
     -chardev stdio,id=semihosting_console
     -semihosting-config enable=on,target=native,chardev=semihosting_console
     -kernel ${ELF})
