import { Elysia } from "elysia";
import { HomePage } from "../../views/home-page.tsx";
import { VERSION } from "../version.ts";

export function pageRoutes() {
  return new Elysia().get("/", ({ set }) => {
    set.headers["content-type"] = "text/html; charset=utf-8";
    return HomePage({ version: VERSION });
  });
}
