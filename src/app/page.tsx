import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/server/auth/options";

export default async function Home() {
  redirect((await getServerSession(authOptions)) ? "/runs" : "/signin");
}
